using System.Text.Json.Nodes;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tests.Model;

namespace DeepResearcher.Engine.Tests.Checkpoints;

public sealed class HuggingFaceCheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-hf-" + Guid.NewGuid().ToString("N"));

    public HuggingFaceCheckpointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Load_FixtureConfig()
    {
        var model = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        var c = model.Config;
        Assert.Equal(("qwen2", 256, 64, 128, 2, 4, 2, 16), (c.ModelType, c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumLayers, c.NumHeads, c.NumKeyValueHeads, c.HeadDim));
        Assert.Equal(1e6, c.RopeTheta);
        Assert.Equal(1e-6, c.RmsNormEps);
        Assert.True(c.TieWordEmbeddings);
        Assert.True(c.QkvBias);
        Assert.False(c.OutputBias);
        Assert.Same(model.EmbedTokens, model.LmHeadWeight);
        Assert.Equal(2 + 2 * 12, model.Parameters.Count());
        Assert.NotEqual(0f, model.Layers[1].Mlp.DownProj.Weight.Data.Max());
    }

    [Theory]
    [InlineData(SafetensorsDType.F32)]
    [InlineData(SafetensorsDType.BF16)]
    public async Task SaveThenLoad_GivesIdenticalWeightsAndConfig(SafetensorsDType dtype)
    {
        var model = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        string original = await File.ReadAllTextAsync(Path.Combine(Qwen2Fixture.Directory, "config.json"), Ct);
        await HuggingFaceCheckpoint.SaveAsync(model, _dir, dtype, original, Ct);
        var reloaded = HuggingFaceCheckpoint.Load(_dir);
        Assert.Equal(model.Config, reloaded.Config);
        // the fixture weights are bf16-exact, so even a bf16 save is lossless
        foreach (var (a, b) in model.Parameters.Zip(reloaded.Parameters))
        {
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.Data, b.Data);
        }
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "config.json"), Ct))!;
        Assert.Equal("Qwen2ForCausalLM", (string?)config["architectures"]![0]);
        Assert.Equal(2, (int)config["eos_token_id"]!);
        Assert.Equal(SafetensorsDTypes.ToTorchName(dtype), (string?)config["torch_dtype"]);
        using var file = SafetensorsFile.Open(Path.Combine(_dir, "model.safetensors"));
        Assert.False(file.Contains("lm_head.weight"));
        Assert.All(file.Tensors.Values, t => Assert.Equal(dtype, t.DType));
    }

    [Fact]
    public async Task ShardedCheckpoint_LoadsThroughIndex()
    {
        var model = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        var parameters = model.Parameters.ToList();
        var shards = new[] { parameters.Take(10).ToList(), parameters.Skip(10).ToList() };
        var map = new JsonObject();
        for (int s = 0; s < 2; s++)
        {
            string name = $"model-{s + 1:00000}-of-00002.safetensors";
            await SafetensorsWriter.WriteAsync(Path.Combine(_dir, name),
                shards[s].Select(p => SafetensorsTensor.FromFloats(p.Name, SafetensorsDType.F16, Array.ConvertAll(p.Shape, d => (long)d), p.Data)).ToList(),
                cancellationToken: Ct);
            foreach (var p in shards[s]) map[p.Name] = name;
        }
        await File.WriteAllTextAsync(Path.Combine(_dir, "model.safetensors.index.json"), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString(), Ct);
        File.Copy(Path.Combine(Qwen2Fixture.Directory, "config.json"), Path.Combine(_dir, "config.json"));
        var reloaded = HuggingFaceCheckpoint.Load(_dir);
        foreach (var (a, b) in parameters.Zip(reloaded.Parameters))
            for (int i = 0; i < a.Length; i++) Assert.Equal(a.Data[i], b.Data[i], Math.Abs(a.Data[i]) / 1024f + 1e-7f);
    }

    [Fact]
    public async Task WrongShape_NamesFileAndTensor()
    {
        await WriteCheckpoint(p => p.Name == "model.layers.1.mlp.up_proj.weight" ? [64, 128] : null, null);
        var e = Assert.Throws<CheckpointFormatException>(() => HuggingFaceCheckpoint.Load(_dir));
        Assert.Contains("model.layers.1.mlp.up_proj.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, "model.safetensors"), e.Message, StringComparison.Ordinal);
        Assert.Contains("[64, 128]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTensor_NamesFileAndTensor()
    {
        await WriteCheckpoint(null, "model.norm.weight");
        var e = Assert.Throws<CheckpointFormatException>(() => HuggingFaceCheckpoint.Load(_dir));
        Assert.Contains("'model.norm.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntegerTensor_IsRejectedAsWrongDType()
    {
        File.Copy(Path.Combine(Qwen2Fixture.Directory, "config.json"), Path.Combine(_dir, "config.json"));
        var model = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        var tensors = model.Parameters.Select(p => p.Name == "model.norm.weight"
            ? SafetensorsTensor.FromIntegers(p.Name, SafetensorsDType.I32, [64], new long[64])
            : SafetensorsTensor.FromFloats(p.Name, SafetensorsDType.F32, Array.ConvertAll(p.Shape, d => (long)d), p.Data)).ToList();
        await SafetensorsWriter.WriteAsync(Path.Combine(_dir, "model.safetensors"), tensors, cancellationToken: Ct);
        var e = Assert.Throws<CheckpointFormatException>(() => HuggingFaceCheckpoint.Load(_dir));
        Assert.Contains("'model.norm.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("dtype", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFiles_Throw()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => HuggingFaceCheckpoint.Load(_dir));
        Assert.Contains("config.json", e.Message, StringComparison.Ordinal);
        File.Copy(Path.Combine(Qwen2Fixture.Directory, "config.json"), Path.Combine(_dir, "config.json"));
        e = Assert.Throws<CheckpointFormatException>(() => HuggingFaceCheckpoint.Load(_dir));
        Assert.Contains("model.safetensors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedArchitecture_Throws()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => HuggingFaceConfig.Parse("""{"model_type":"gpt2","hidden_size":8}""", "x/config.json"));
        Assert.Contains("gpt2", e.Message, StringComparison.Ordinal);
        Assert.Contains("x/config.json", e.Message, StringComparison.Ordinal);
        Assert.Throws<CheckpointFormatException>(() => HuggingFaceConfig.Parse("""{"model_type":"qwen2","hidden_size":8}""", "x"));
        Assert.Throws<CheckpointFormatException>(() => HuggingFaceConfig.Parse(LlamaJson.Replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3", StringComparison.Ordinal), "x"));
    }

    private const string LlamaJson = """
        { "model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 1,
          "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "rope_theta": 500000.0, "rms_norm_eps": 1e-5,
          "attention_bias": true, "max_position_embeddings": 256, "rope_scaling": null }
        """;

    [Fact]
    public void LlamaConfig_ParsesBiasHeadDimAndDefaults()
    {
        var c = HuggingFaceConfig.Parse(LlamaJson, "x");
        Assert.Equal(("llama", 8, 32, 16), (c.ModelType, c.HeadDim, c.QueryDim, c.KeyValueDim));
        Assert.True(c.QkvBias);
        Assert.True(c.OutputBias);
        Assert.False(c.TieWordEmbeddings);
        Assert.Equal(5e5, c.RopeTheta);
        var noBias = HuggingFaceConfig.Parse(LlamaJson.Replace("\"attention_bias\": true,", "", StringComparison.Ordinal), "x");
        Assert.False(noBias.QkvBias);
        Assert.Equal(c, HuggingFaceConfig.Parse(HuggingFaceConfig.Format(c, SafetensorsDType.F32), "y"));
    }

    private async Task WriteCheckpoint(Func<Parameter, long[]?>? shapeOverride, string? omit)
    {
        File.Copy(Path.Combine(Qwen2Fixture.Directory, "config.json"), Path.Combine(_dir, "config.json"));
        var model = HuggingFaceCheckpoint.Load(Qwen2Fixture.Directory);
        var tensors = model.Parameters.Where(p => p.Name != omit)
            .Select(p => SafetensorsTensor.FromFloats(p.Name, SafetensorsDType.F32, shapeOverride?.Invoke(p) ?? Array.ConvertAll(p.Shape, d => (long)d), p.Data))
            .ToList();
        await SafetensorsWriter.WriteAsync(Path.Combine(_dir, "model.safetensors"), tensors, cancellationToken: Ct);
    }
}
