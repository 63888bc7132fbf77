namespace DeepResearcher.Engine.Kernels;

/// <summary>Plain triple loop, accumulated in double: the yardstick every optimised GEMM is tested against.</summary>
public static class GemmReference
{
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate = false)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + (float)sum : (float)sum;
            }
        }
    }
}
