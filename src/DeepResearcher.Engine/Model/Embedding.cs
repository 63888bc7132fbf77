namespace DeepResearcher.Engine.Model;

/// <summary>Token embedding lookup: row t of the output is row tokens[t] of the table.</summary>
public static class Embedding
{
    public static void Forward(ReadOnlySpan<int> tokens, ReadOnlySpan<float> table, Span<float> output, int vocabSize, int dim)
    {
        for (int t = 0; t < tokens.Length; t++)
        {
            int id = tokens[t];
            if ((uint)id >= (uint)vocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), id, $"token {t} has id {id}, outside the vocabulary of {vocabSize}");
            table.Slice(id * dim, dim).CopyTo(output.Slice(t * dim, dim));
        }
    }

    public static void Backward(ReadOnlySpan<int> tokens, ReadOnlySpan<float> dOutput, Span<float> dTable, int dim)
    {
        for (int t = 0; t < tokens.Length; t++)
        {
            var row = dTable.Slice(tokens[t] * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Add(row, dOutput.Slice(t * dim, dim), row);
        }
    }
}
