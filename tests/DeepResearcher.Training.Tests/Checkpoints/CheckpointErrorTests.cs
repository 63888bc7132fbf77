using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Training.Checkpoints;

namespace DeepResearcher.Training.Tests.Checkpoints;

/// <summary>Each broken checkpoint is reported with the file, what is wrong with it, and what to do.</summary>
public sealed class CheckpointErrorTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();
    private readonly string _dir;

    public CheckpointErrorTests() => _dir = Path.Combine(_root.Path, "checkpoint");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_missing_directory_or_trainer_state_is_named()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var missing = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, TinyTraining.CreateModel(), null, ct));
        Assert.Contains("not found", missing.Message, StringComparison.Ordinal);

        await SaveAsync(TinyTraining.CreateModel(), withOptimizer: false);
        File.Delete(Path.Combine(_dir, TrainingCheckpoint.StateFileName));
        var incomplete = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, TinyTraining.CreateModel(), null, ct));
        Assert.Contains(TrainingCheckpoint.StateFileName, incomplete.Message, StringComparison.Ordinal);
        Assert.Contains("incomplete", incomplete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_optimizer_file_says_how_to_start_the_optimizer_fresh()
    {
        var model = TinyTraining.CreateModel();
        await SaveAsync(model, withOptimizer: false);

        var error = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, model, TinyTraining.CreateOptimizer(model), TestContext.Current.CancellationToken));

        Assert.Equal(Path.Combine(_dir, TrainingCheckpoint.OptimizerFileName), error.FilePath);
        Assert.Contains("optimizer: null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_optimizer_tensor_is_named_and_the_optimizer_is_left_untouched()
    {
        var model = TinyTraining.CreateModel();
        var partial = new Engine.Optim.AdamW(model.TrainableParameters.Skip(1));
        TinyTraining.Step(model, partial, 0);
        await TrainingCheckpoint.SaveAsync(_dir, model, partial, null, new TrainerState(), TestContext.Current.CancellationToken);
        var full = TinyTraining.CreateOptimizer(model);

        var error = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, model, full, TestContext.Current.CancellationToken));

        Assert.Equal("model.embed_tokens.weight.exp_avg", error.TensorName);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, full.StepCount);
    }

    [Fact]
    public async Task A_shape_mismatch_names_the_tensor_and_both_shapes()
    {
        await SaveAsync(TinyTraining.CreateModel(), withOptimizer: true);
        var wider = TransformerModel.Create(TinyTraining.Config() with { IntermediateSize = 64 });

        var weights = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, wider, null, TestContext.Current.CancellationToken));
        var moments = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, wider, TinyTraining.CreateOptimizer(wider), TestContext.Current.CancellationToken));

        Assert.Equal("model.layers.0.mlp.gate_proj.weight", weights.TensorName);
        Assert.Contains("shape [48, 32] does not match the model's [64, 32]", weights.Message, StringComparison.Ordinal);
        Assert.Equal("model.layers.0.mlp.gate_proj.weight.exp_avg", moments.TensorName);
        Assert.Contains(TrainingCheckpoint.OptimizerFileName, moments.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_with_the_same_shapes_but_another_head_split_is_refused()
    {
        await SaveAsync(TinyTraining.CreateModel(), withOptimizer: false);
        var otherHeads = TransformerModel.Create(TinyTraining.Config() with { NumHeads = 2, NumKeyValueHeads = 1 });

        var error = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, otherHeads, null, TestContext.Current.CancellationToken));

        Assert.Contains("num_attention_heads 4 (model: 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_weights_file_is_reported_as_corrupt()
    {
        await SaveAsync(TinyTraining.CreateModel(), withOptimizer: false);
        string weights = Path.Combine(_dir, HuggingFaceCheckpoint.WeightsFileName);
        byte[] bytes = await File.ReadAllBytesAsync(weights, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(weights, bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, TinyTraining.CreateModel(), null, TestContext.Current.CancellationToken));

        Assert.Contains(weights, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_format_version_or_corrupt_trainer_state_is_rejected()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await SaveAsync(TinyTraining.CreateModel(), withOptimizer: false);
        string statePath = Path.Combine(_dir, TrainingCheckpoint.StateFileName);
        string json = await File.ReadAllTextAsync(statePath, ct);
        await File.WriteAllTextAsync(statePath, json.Replace("\"format_version\": 1", "\"format_version\": 99", StringComparison.Ordinal), ct);

        var version = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, TinyTraining.CreateModel(), null, ct));
        await File.WriteAllTextAsync(statePath, json[..(json.Length / 2)], ct);
        var corrupt = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, TinyTraining.CreateModel(), null, ct));

        Assert.Contains("format_version 99", version.Message, StringComparison.Ordinal);
        Assert.Equal(statePath, corrupt.FilePath);
    }

    [Fact]
    public async Task Full_weights_and_lora_adapters_are_not_mixed_up()
    {
        await SaveAsync(TinyTraining.CreateModel(), withOptimizer: false);
        var withAdapters = TinyTraining.CreateModel();
        withAdapters.AttachLora(2, 4, ["q_proj"]);

        var error = await Assert.ThrowsAsync<CheckpointFormatException>(
            () => TrainingCheckpoint.LoadAsync(_dir, withAdapters, null, TestContext.Current.CancellationToken));

        Assert.Contains("LoRA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restoring_adamw_state_of_the_wrong_length_fails_before_changing_anything()
    {
        var model = TinyTraining.CreateModel();
        var optimizer = TinyTraining.CreateOptimizer(model);
        TinyTraining.Step(model, optimizer, 0);
        float[] before = [.. optimizer.State[0].FirstMoment];

        var error = Assert.Throws<InvalidDataException>(() => optimizer.RestoreState(9, name => name == "model.norm.weight"
            ? (new float[1], new float[1])
            : (new float[model.TrainableParameters.First(p => p.Name == name).Length], new float[model.TrainableParameters.First(p => p.Name == name).Length])));

        Assert.Contains("model.norm.weight", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, optimizer.StepCount);
        TinyTraining.AssertBitIdentical(before, optimizer.State[0].FirstMoment, "first moment");
    }

    private Task SaveAsync(TransformerModel model, bool withOptimizer) =>
        TrainingCheckpoint.SaveAsync(_dir, model, withOptimizer ? TinyTraining.CreateOptimizer(model) : null, null,
            new TrainerState(), TestContext.Current.CancellationToken);
}
