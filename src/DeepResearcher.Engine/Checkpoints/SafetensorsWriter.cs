using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DeepResearcher.Engine.Checkpoints;

/// <summary>
/// Writes safetensors files: 8-byte little-endian header length, a JSON header padded with spaces to
/// 8-byte alignment, then the raw little-endian tensor data. The file appears atomically (temp file + rename).
/// </summary>
public static class SafetensorsWriter
{
    private const int ChunkElements = 1 << 18;

    public static async Task WriteAsync(string path, IReadOnlyList<SafetensorsTensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        byte[] header = BuildHeader(tensors, metadata);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            {
                var lengthBytes = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
                await stream.WriteAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
                var buffer = new byte[ChunkElements * 8];
                foreach (var tensor in tensors)
                {
                    long count = tensor.IsInteger ? tensor.Integers.Length : tensor.Floats.Length;
                    for (long start = 0; start < count; start += ChunkElements)
                    {
                        int n = (int)Math.Min(ChunkElements, count - start);
                        int bytes = Encode(tensor, (int)start, n, buffer);
                        await stream.WriteAsync(buffer.AsMemory(0, bytes), cancellationToken).ConfigureAwait(false);
                    }
                }
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Round-to-nearest-even conversion of one float32 to bfloat16 bits.</summary>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    private static int Encode(SafetensorsTensor tensor, int start, int count, byte[] buffer)
    {
        switch (tensor.DType)
        {
            case SafetensorsDType.F32:
                MemoryMarshal.AsBytes(tensor.Floats.Span.Slice(start, count)).CopyTo(buffer);
                return count * 4;
            case SafetensorsDType.BF16:
            {
                var source = tensor.Floats.Span.Slice(start, count);
                var target = MemoryMarshal.Cast<byte, ushort>(buffer.AsSpan(0, count * 2));
                for (int i = 0; i < count; i++) target[i] = ToBFloat16(source[i]);
                return count * 2;
            }
            case SafetensorsDType.F16:
                TensorPrimitives.ConvertToHalf(tensor.Floats.Span.Slice(start, count), MemoryMarshal.Cast<byte, Half>(buffer.AsSpan(0, count * 2)));
                return count * 2;
            case SafetensorsDType.I64:
                MemoryMarshal.AsBytes(tensor.Integers.Span.Slice(start, count)).CopyTo(buffer);
                return count * 8;
            case SafetensorsDType.I32:
            {
                var source = tensor.Integers.Span.Slice(start, count);
                var target = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(0, count * 4));
                for (int i = 0; i < count; i++) target[i] = checked((int)source[i]);
                return count * 4;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(tensor), tensor.DType, "unsupported dtype");
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var memory = new MemoryStream();
        using (var json = new Utf8JsonWriter(memory))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var tensor in tensors)
            {
                if (!names.Add(tensor.Name)) throw new ArgumentException($"tensor '{tensor.Name}' is listed twice", nameof(tensors));
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", SafetensorsDTypes.ToHeaderName(tensor.DType));
                json.WriteStartArray("shape");
                foreach (long d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.ByteLength;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - memory.Length % 8) % 8);
        for (int i = 0; i < padding; i++) memory.WriteByte((byte)' ');
        return memory.ToArray();
    }
}
