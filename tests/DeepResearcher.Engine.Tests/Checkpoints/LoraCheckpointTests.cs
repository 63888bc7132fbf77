using System.Text.Json.Nodes;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tests.Model;

namespace DeepResearcher.Engine.Tests.Checkpoints;

public sealed class LoraCheckpointTests : IDisposable
{
    private static readonly string[] Targets = ["q_proj", "v_proj", "down_proj"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-lora-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static float[] LastLogits(TransformerModel model)
    {
        var batch = TokenBatch.Single([5, 9, 200, 31, 7]);
        var logits = new float[model.Config.VocabSize];
        model.ForwardLogits(batch, [4], logits);
        return logits;
    }

    private static TransformerModel ModelWithRandomLora()
    {
        var model = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        var random = new Random(3);
        foreach (var adapter in model.AttachLora(2, 16f, Targets))
        {
            adapter.InitializeDefault(random);
            for (int i = 0; i < adapter.B.Length; i++) adapter.B.Data[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
        }
        return model;
    }

    [Fact]
    public void DefaultInitialisation_LeavesTheModelUnchanged()
    {
        var model = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        var before = LastLogits(model);
        var random = new Random(1);
        foreach (var adapter in model.AttachLora(4, 8f, Targets)) adapter.InitializeDefault(random);
        Assert.Equal(before, LastLogits(model));
        Assert.Equal(2 * 3, model.LoraAdapters.Count());
    }

    [Fact]
    public async Task SaveThenLoad_RestoresAdaptersInPeftLayout()
    {
        var model = ModelWithRandomLora();
        var expected = LastLogits(model);
        await LoraCheckpoint.SaveAsync(model, _dir, "qwen2_tiny", TestContext.Current.CancellationToken);

        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "adapter_config.json"), TestContext.Current.CancellationToken))!;
        Assert.Equal(2, (int)config["r"]!);
        Assert.Equal(16f, (float)config["lora_alpha"]!);
        using (var file = SafetensorsFile.Open(Path.Combine(_dir, "adapter_model.safetensors")))
        {
            Assert.Equal(2 * 3 * 2, file.Tensors.Count);
            Assert.Equal([2L, 64L], file.GetInfo("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight").Shape);
        }

        var reloaded = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        LoraCheckpoint.Load(reloaded, _dir);
        Assert.Equal(expected, LastLogits(reloaded));
        Assert.All(reloaded.Parameters, p => Assert.False(p.RequiresGrad));
    }

    [Fact]
    public void MergeLora_GivesTheSameOutputsWithoutAdapters()
    {
        var model = ModelWithRandomLora();
        var expected = LastLogits(model);
        var baseline = LastLogits(HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory));
        foreach (var linear in model.Layers.SelectMany(l => l.Linears)) linear.MergeLora();
        Assert.Empty(model.LoraAdapters);
        var merged = LastLogits(model);
        var comparison = TensorComparison.Compare("merged", merged, expected);
        Assert.True(comparison.ScaledError < 1e-5, comparison.ToString());
        Assert.True(TensorComparison.Compare("baseline", baseline, expected).ScaledError > 1e-3, "the random adapters should change the logits");
    }
}
