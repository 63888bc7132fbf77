using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Optim;

/// <summary>Scales all gradients together so their global L2 norm is at most a bound, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>Returns the norm before clipping.</summary>
    public static float ClipByGlobalNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var withGrad = parameters.Where(p => p.RequiresGrad && p.HasGrad).Distinct().ToList();
        double sumSquares = 0;
        foreach (var p in withGrad)
        {
            foreach (float g in p.Grad) sumSquares += (double)g * g;
        }
        float norm = (float)Math.Sqrt(sumSquares);
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1f)
        {
            foreach (var p in withGrad)
                System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad, coefficient, p.Grad);
        }
        return norm;
    }
}
