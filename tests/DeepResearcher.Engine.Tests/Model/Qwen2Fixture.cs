using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>The PyTorch reference made by scripts/fixtures/make_qwen2_fixture.py, opened through the real loaders.</summary>
public sealed class Qwen2Fixture : IDisposable
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen2_tiny");

    public Qwen2Fixture()
    {
        Expected = SafetensorsFile.Open(Path.Combine(Directory, "expected.safetensors"));
        Tokens = ReadInts("batch.input_ids");
        Targets = ReadInts("batch.targets");
        SequenceLengths = ReadInts("batch.seq_lengths");
        LossMask = Array.ConvertAll(Expected.ReadFloat32("batch.loss_mask"), m => (byte)m);
        Batch = new TokenBatch(Tokens, SequenceLengths);
    }

    public SafetensorsFile Expected { get; }

    public int[] Tokens { get; }

    public int[] Targets { get; }

    public int[] SequenceLengths { get; }

    public byte[] LossMask { get; }

    public TokenBatch Batch { get; }

    /// <summary>
    /// A fresh model from the fixture checkpoint, with small LM-head chunks (logits never kept whole) and attention
    /// blocks so both are exercised.
    /// </summary>
    public static TransformerModel LoadModel()
    {
        var model = HuggingFaceCheckpoint.Load(Directory);
        model.LmHeadChunkRows = 7;
        model.LmHeadRetainedLogitsBytes = 0;
        model.AttentionBlockRows = 5;
        return model;
    }

    public int[] ReadInts(string name) => Array.ConvertAll(Expected.ReadInt64(name), v => checked((int)v));

    public float Scalar(string name) => Expected.ReadFloat32(name)[0];

    public void Dispose() => Expected.Dispose();
}
