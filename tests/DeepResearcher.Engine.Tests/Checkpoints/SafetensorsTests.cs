using System.Buffers.Binary;
using System.Text;
using DeepResearcher.Engine.Checkpoints;

namespace DeepResearcher.Engine.Tests.Checkpoints;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-safetensors-" + Guid.NewGuid().ToString("N"));

    public SafetensorsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Values(int n)
    {
        var rng = new Random(n);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
    }

    [Fact]
    public async Task RoundTrip_AllDTypes()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        var f32 = Values(15);
        var bf16 = Values(12);
        var f16 = Values(7);
        long[] ids = [3, -1, 1L << 40];
        await SafetensorsWriter.WriteAsync(path,
        [
            SafetensorsTensor.FromFloats("a.f32", SafetensorsDType.F32, [3, 5], f32),
            SafetensorsTensor.FromFloats("b.bf16", SafetensorsDType.BF16, [2, 2, 3], bf16),
            SafetensorsTensor.FromFloats("c.f16", SafetensorsDType.F16, [7], f16),
            SafetensorsTensor.FromIntegers("d.i64", SafetensorsDType.I64, [3], ids),
        ], new Dictionary<string, string> { ["format"] = "pt" }, TestContext.Current.CancellationToken);

        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + headerLength) % 8);
        Assert.Equal((long)(8 + headerLength) + 15 * 4 + 12 * 2 + 7 * 2 + 3 * 8, bytes.LongLength);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal([3L, 5L], file.GetInfo("a.f32").Shape);
        Assert.Equal(SafetensorsDType.BF16, file.GetInfo("b.bf16").DType);
        Assert.Equal(f32, file.ReadFloat32("a.f32"));
        var bf16Back = file.ReadFloat32("b.bf16");
        for (int i = 0; i < bf16.Length; i++) Assert.Equal(bf16[i], bf16Back[i], Math.Abs(bf16[i]) / 256f);
        var f16Back = file.ReadFloat32("c.f16");
        for (int i = 0; i < f16.Length; i++) Assert.Equal(f16[i], f16Back[i], Math.Abs(f16[i]) / 2048f);
        Assert.Equal(ids, file.ReadInt64("d.i64"));
    }

    [Fact]
    public void BFloat16_RoundsToNearestEven()
    {
        Assert.Equal(0x3F80, SafetensorsWriter.ToBFloat16(1f));
        Assert.Equal(0x3F80, SafetensorsWriter.ToBFloat16(BitConverter.UInt32BitsToSingle(0x3F808000))); // tie → even
        Assert.Equal(0x3F82, SafetensorsWriter.ToBFloat16(BitConverter.UInt32BitsToSingle(0x3F818000))); // tie → even (up)
        Assert.Equal(0x3F81, SafetensorsWriter.ToBFloat16(BitConverter.UInt32BitsToSingle(0x3F808001)));
        Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle((uint)SafetensorsWriter.ToBFloat16(float.NaN) << 16)));
    }

    [Fact]
    public async Task TruncatedData_NamesFileAndTensor()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        await SafetensorsWriter.WriteAsync(path,
            [SafetensorsTensor.FromFloats("x", SafetensorsDType.F32, [4], Values(4)), SafetensorsTensor.FromFloats("y", SafetensorsDType.F32, [4], Values(4))],
            cancellationToken: TestContext.Current.CancellationToken);
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes[..^3], TestContext.Current.CancellationToken);
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("'y'", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    public async Task TruncatedHeader_Throws(int keep)
    {
        string path = Path.Combine(_dir, "t.safetensors");
        await SafetensorsWriter.WriteAsync(path, [SafetensorsTensor.FromFloats("x", SafetensorsDType.F32, [4], Values(4))],
            cancellationToken: TestContext.Current.CancellationToken);
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes[..keep], TestContext.Current.CancellationToken);
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12")]
    [InlineData("{\"x\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", "unsupported dtype")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "backwards")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}", "data_offsets")]
    [InlineData("{\"x\":", "not valid JSON")]
    public async Task MalformedHeader_ThrowsClearError(string header, string expected)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTensorAndWrongLength_NameTheTensor()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        await SafetensorsWriter.WriteAsync(path, [SafetensorsTensor.FromFloats("x", SafetensorsDType.F32, [4], Values(4))],
            cancellationToken: TestContext.Current.CancellationToken);
        using var file = SafetensorsFile.Open(path);
        var missing = Assert.Throws<CheckpointFormatException>(() => file.ReadFloat32("nope"));
        Assert.Contains("'nope'", missing.Message, StringComparison.Ordinal);
        var wrong = Assert.Throws<CheckpointFormatException>(() => file.ReadFloat32("x", new float[5]));
        Assert.Contains("'x'", wrong.Message, StringComparison.Ordinal);
        Assert.Throws<CheckpointFormatException>(() => file.ReadInt64("x"));
    }

    [Fact]
    public void MissingFile_Throws()
    {
        string path = Path.Combine(_dir, "absent.safetensors");
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_ReplacesExistingFileAndLeavesNoTempFiles()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        await SafetensorsWriter.WriteAsync(path, [SafetensorsTensor.FromFloats("x", SafetensorsDType.F32, [2], new float[] { 1, 2 })],
            cancellationToken: TestContext.Current.CancellationToken);
        await SafetensorsWriter.WriteAsync(path, [SafetensorsTensor.FromFloats("y", SafetensorsDType.F32, [1], new float[] { 3 })],
            cancellationToken: TestContext.Current.CancellationToken);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["y"], file.Tensors.Keys);
        Assert.Single(Directory.GetFiles(_dir));
    }
}
