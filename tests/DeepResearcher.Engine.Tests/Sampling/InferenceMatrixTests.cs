using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Engine.Tests.Sampling;

/// <summary>
/// The streaming decode kernel on shapes that exercise every path: more columns than one column block (2,100, not a
/// multiple of 16), an odd number of weight rows (pairs and a single), and 1 to 11 input rows (groups of 8, 4, 2, 1).
/// </summary>
public class InferenceMatrixTests
{
    [Theory]
    [InlineData(InferenceWeightType.Float32)]
    [InlineData(InferenceWeightType.BFloat16)]
    public void Streaming_products_match_a_double_reference_and_do_not_depend_on_the_batch(InferenceWeightType type)
    {
        const int rows = 37, columns = 2100, inputs = 11;
        var random = new Random(5);
        float[] w = [.. Enumerable.Range(0, rows * columns).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] x = [.. Enumerable.Range(0, inputs * columns).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var matrix = new InferenceMatrix(w, rows, columns, type);
        var batched = new float[inputs * rows];

        matrix.MultiplyTransposed(x, batched, inputs, streaming: true);

        for (int r = 0; r < inputs; r++)
        {
            var alone = new float[rows];
            matrix.MultiplyTransposed(x.AsSpan(r * columns, columns), alone, 1, streaming: true);
            Assert.Equal(alone, batched.AsSpan(r * rows, rows).ToArray());
            for (int o = 0; o < rows; o++)
            {
                double expected = 0;
                for (int c = 0; c < columns; c++)
                {
                    float weight = type == InferenceWeightType.BFloat16 ? RoundToBFloat16(w[(o * columns) + c]) : w[(o * columns) + c];
                    expected += (double)weight * x[(r * columns) + c];
                }

                Assert.Equal(expected, batched[(r * rows) + o], 1e-3);
            }
        }
    }

    private static float RoundToBFloat16(float value)
    {
        uint b = BitConverter.SingleToUInt32Bits(value);
        return BitConverter.UInt32BitsToSingle(((b + 0x7FFF + ((b >> 16) & 1)) >> 16) << 16);
    }
}
