using DeepResearcher.Engine.Model;

namespace DeepResearcher.Training.Policy;

/// <summary>
/// Random initialisation for a model trained from scratch, GPT-2 style: weights ~ N(0, 0.02), the projections that
/// write into the residual stream scaled by 1/√(2·layers) so the stream's variance does not grow with depth, norm
/// gains 1, biases 0. Deterministic for a seed.
/// </summary>
public static class ModelInitializer
{
    public const double Std = 0.02;

    public static void Initialize(TransformerModel model, ulong seed)
    {
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        double residualStd = Std / Math.Sqrt(2.0 * model.Config.NumLayers);
        foreach (Parameter parameter in model.Parameters)
        {
            string name = parameter.Name;
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                Array.Fill(parameter.Data, 1f);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                Array.Clear(parameter.Data);
            }
            else
            {
                bool residual = name.Contains("o_proj", StringComparison.Ordinal) || name.Contains("down_proj", StringComparison.Ordinal);
                double std = residual ? residualStd : Std;
                float[] data = parameter.Data;
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = (float)(std * Gaussian(random));
                }
            }
        }
        model.BumpWeightVersion();
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller: two uniforms to one standard normal.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
