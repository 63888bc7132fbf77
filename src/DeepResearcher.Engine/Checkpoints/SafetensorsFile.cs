using System.IO.MemoryMappedFiles;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DeepResearcher.Engine.Checkpoints;

/// <summary>
/// A safetensors file opened read-only through a memory map: the header is parsed and validated on open,
/// tensor bytes are converted to float32 (or int64) only when asked for.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataOffset;
    private readonly Dictionary<string, SafetensorsTensorInfo> _tensors;
    private bool _disposed;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePointer,
        long dataOffset, Dictionary<string, SafetensorsTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        FilePath = path;
        _map = map;
        _view = view;
        _base = basePointer;
        _dataOffset = dataOffset;
        _tensors = tensors;
        Metadata = metadata;
    }

    public string FilePath { get; }

    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors => _tensors;

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointFormatException(path, null, "file not found", new FileNotFoundException(path));
        long fileLength = new FileInfo(path).Length;
        if (fileLength < 8)
            throw new CheckpointFormatException(path, null, $"truncated: {fileLength} bytes, fewer than the 8-byte header length");

        MemoryMappedFile map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        bool pointerAcquired = false;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointerAcquired = true;
            pointer += view.PointerOffset;

            ulong headerLength = BitConverter.ToUInt64(new ReadOnlySpan<byte>(pointer, 8));
            if (headerLength > (ulong)(fileLength - 8))
                throw new CheckpointFormatException(path, null, $"truncated: header claims {headerLength} bytes but the file has {fileLength - 8} after the length");
            if (headerLength > MaxHeaderBytes)
                throw new CheckpointFormatException(path, null, $"header of {headerLength} bytes is implausibly large");

            var headerBytes = new ReadOnlySpan<byte>(pointer + 8, (int)headerLength);
            long dataOffset = 8 + (long)headerLength;
            var (tensors, metadata) = ParseHeader(path, headerBytes, fileLength - dataOffset);
            return new SafetensorsFile(path, map, view, pointer, dataOffset, tensors, metadata);
        }
        catch
        {
            if (pointerAcquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public SafetensorsTensorInfo GetInfo(string name)
        => _tensors.TryGetValue(name, out var info)
            ? info
            : throw new CheckpointFormatException(FilePath, name, "tensor not found in file");

    /// <summary>The raw little-endian bytes of a tensor, valid until this file is disposed.</summary>
    public ReadOnlySpan<byte> GetBytes(SafetensorsTensorInfo info)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (info.ByteLength > int.MaxValue)
            throw new CheckpointFormatException(FilePath, info.Name, $"tensor of {info.ByteLength} bytes exceeds the 2 GiB a single read supports");
        return new ReadOnlySpan<byte>(_base + _dataOffset + info.DataStart, (int)info.ByteLength);
    }

    public float[] ReadFloat32(string name)
    {
        var info = GetInfo(name);
        var result = new float[checked((int)info.ElementCount)];
        ReadFloat32(name, result);
        return result;
    }

    /// <summary>Converts a floating-point tensor to float32 into <paramref name="destination"/>, whose length must equal the element count.</summary>
    public void ReadFloat32(string name, Span<float> destination)
    {
        var info = GetInfo(name);
        if (info.ElementCount != destination.Length)
            throw new CheckpointFormatException(FilePath, name, $"has {info.ElementCount} elements {info.ShapeText}, expected {destination.Length}");
        // Converted in pieces so tensors above 2 GiB (a float32 7B embedding) still load into one float[].
        const int PieceElements = 1 << 26;
        int elementSize = SafetensorsDTypes.SizeOf(info.DType);
        for (int start = 0; start < destination.Length; start += PieceElements)
        {
            int count = Math.Min(PieceElements, destination.Length - start);
            var bytes = Slice(info, (long)start * elementSize, count * elementSize);
            var target = destination.Slice(start, count);
            switch (info.DType)
            {
                case SafetensorsDType.F32:
                    MemoryMarshal.Cast<byte, float>(bytes).CopyTo(target);
                    break;
                case SafetensorsDType.BF16:
                    ConvertBFloat16(MemoryMarshal.Cast<byte, ushort>(bytes), target);
                    break;
                case SafetensorsDType.F16:
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(bytes), target);
                    break;
                default:
                    throw new CheckpointFormatException(FilePath, name, $"dtype {info.DType} is not a floating-point type");
            }
        }
    }

    private ReadOnlySpan<byte> Slice(SafetensorsTensorInfo info, long byteOffset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ReadOnlySpan<byte>(_base + _dataOffset + info.DataStart + byteOffset, length);
    }

    /// <summary>Reads an integer tensor (I32 or I64) widened to int64.</summary>
    public long[] ReadInt64(string name)
    {
        var info = GetInfo(name);
        var bytes = GetBytes(info);
        return info.DType switch
        {
            SafetensorsDType.I64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
            SafetensorsDType.I32 => Array.ConvertAll(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), v => (long)v),
            _ => throw new CheckpointFormatException(FilePath, name, $"dtype {info.DType} is not an integer type"),
        };
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }

    internal static void ConvertBFloat16(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        // bf16 is the top half of an IEEE float32, so widening is a shift.
        var bits = MemoryMarshal.Cast<float, uint>(destination);
        for (int i = 0; i < source.Length; i++) bits[i] = (uint)source[i] << 16;
    }

    private static (Dictionary<string, SafetensorsTensorInfo>, Dictionary<string, string>) ParseHeader(
        string path, ReadOnlySpan<byte> header, long dataLength)
    {
        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.ToArray());
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, null, $"header is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, null, "header is not a JSON object");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in property.Value.EnumerateObject())
                            metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
                    }
                    continue;
                }
                tensors[property.Name] = ParseEntry(path, property.Name, property.Value, dataLength);
            }
        }
        return (tensors, metadata);
    }

    private static SafetensorsTensorInfo ParseEntry(string path, string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !entry.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw new CheckpointFormatException(path, name, "header entry lacks dtype, shape or a two-element data_offsets");
        }

        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
            throw new CheckpointFormatException(path, name, $"unsupported dtype '{dtypeName}' (supported: F32, BF16, F16, I32, I64)");

        var shape = new long[shapeElement.GetArrayLength()];
        int i = 0;
        long elements = 1;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw new CheckpointFormatException(path, name, "shape holds a value that is not a non-negative integer");
            shape[i++] = d;
            elements = checked(elements * d);
        }

        long start = ReadOffset(path, name, offsetsElement[0]);
        long end = ReadOffset(path, name, offsetsElement[1]);
        if (end < start)
            throw new CheckpointFormatException(path, name, $"data_offsets [{start}, {end}] run backwards");
        if (end > dataLength)
            throw new CheckpointFormatException(path, name, $"truncated: data ends at byte {end} but the data section has {dataLength} bytes");
        long expectedBytes = checked(elements * SafetensorsDTypes.SizeOf(dtype));
        if (end - start != expectedBytes)
            throw new CheckpointFormatException(path, name, $"holds {end - start} bytes but {dtypeName} shape [{string.Join(", ", shape)}] needs {expectedBytes}");
        return new SafetensorsTensorInfo(name, dtype, shape, start, end);
    }

    private static long ReadOffset(string path, string name, JsonElement element)
        => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long value) && value >= 0
            ? value
            : throw new CheckpointFormatException(path, name, "data_offsets holds a value that is not a non-negative integer");
}
