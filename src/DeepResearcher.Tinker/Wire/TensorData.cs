using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>
/// A flattened tensor as the SDK sends it (SDK <c>types/_pydantic_types/tensor_data.py</c>): <c>data</c>, <c>dtype</c>
/// (<c>int64</c> or <c>float32</c>), <c>shape</c> (the SDK sends <c>[N]</c> for a list), and CSR indices when sparse.
/// Values are held as doubles, exact for both dtypes' ranges here; <see cref="TensorDataConverter"/> writes int64
/// data as integers and float32 data at float precision, as numpy's <c>tolist()</c> does.
/// </summary>
[JsonConverter(typeof(TensorDataConverter))]
public sealed record TensorData
{
    public const string Int64 = "int64";

    public const string Float32 = "float32";

    public IReadOnlyList<double> Data { get; init; } = [];

    public string Dtype { get; init; } = Float32;

    public IReadOnlyList<int>? Shape { get; init; }

    public IReadOnlyList<int>? SparseCrowIndices { get; init; }

    public IReadOnlyList<int>? SparseColIndices { get; init; }

    public static TensorData FromInts(IReadOnlyList<int> values) => new() { Data = [.. values.Select(v => (double)v)], Dtype = Int64, Shape = [values.Count] };

    public static TensorData FromFloats(IReadOnlyList<float> values) => new() { Data = [.. values.Select(v => (double)v)], Dtype = Float32, Shape = [values.Count] };

    /// <summary>The dense values (a CSR tensor expanded), row-major.</summary>
    public double[] ToDense()
    {
        if (SparseCrowIndices is null)
        {
            return [.. Data];
        }

        if (SparseColIndices is null || Shape is not { Count: 2 })
        {
            throw new FormatException("a sparse tensor needs sparse_col_indices and a 2-D shape with its sparse_crow_indices");
        }

        int rows = Shape[0], columns = Shape[1];
        var dense = new double[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            for (int k = SparseCrowIndices[r]; k < SparseCrowIndices[r + 1]; k++)
            {
                dense[(r * columns) + SparseColIndices[k]] = Data[k];
            }
        }

        return dense;
    }
}
