using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Training.Checkpoints;

namespace DeepResearcher.Training.Tests.Checkpoints;

public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_round_trip_restores_weights_moments_step_count_and_state_bit_for_bit()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var model = TinyTraining.CreateModel();
        var optimizer = TinyTraining.CreateOptimizer(model);
        for (int step = 0; step < 3; step++) TinyTraining.Step(model, optimizer, step);
        var tokenizer = BpeTrainer.Train(["the quick brown fox jumps over the lazy dog"], 280, ["<|im_end|>"]);
        var state = new TrainerState
        {
            Stage = TrainerState.GrpoStage,
            Step = 3,
            Seed = 42,
            DataCursor = 1234567890123,
            SftStepsDone = 200,
            ElapsedSeconds = 12.5,
            Extra = { ["rng"] = "abc" },
        };
        string dir = Path.Combine(_root.Path, "checkpoint");

        await TrainingCheckpoint.SaveAsync(dir, model, optimizer, tokenizer, state, ct);
        var fresh = TransformerModel.Create(TinyTraining.Config());
        var freshOptimizer = TinyTraining.CreateOptimizer(fresh);
        TrainerState loaded = await TrainingCheckpoint.LoadAsync(dir, fresh, freshOptimizer, ct);

        TinyTraining.AssertBitIdentical(model.Parameters, fresh.Parameters);
        Assert.Equal(3, freshOptimizer.StepCount);
        var before = optimizer.State.ToDictionary(s => s.Parameter.Name);
        foreach (var (parameter, m, v) in freshOptimizer.State)
        {
            TinyTraining.AssertBitIdentical(before[parameter.Name].FirstMoment, m, parameter.Name + " m");
            TinyTraining.AssertBitIdentical(before[parameter.Name].SecondMoment, v, parameter.Name + " v");
        }
        Assert.Equal(state with { Extra = loaded.Extra }, loaded);
        Assert.Equal(loaded, await TrainingCheckpoint.ReadStateAsync(dir, ct) with { Extra = loaded.Extra });
        Assert.Equal("abc", loaded.Extra["rng"]);
        Assert.True(File.Exists(Path.Combine(dir, HuggingFaceCheckpoint.ConfigFileName)));
        var reloadedTokenizer = await BpeTokenizer.FromTokenizerJsonAsync(Path.Combine(dir, TrainingCheckpoint.TokenizerFileName), ct);
        Assert.Equal(tokenizer.Encode("the lazy fox"), reloadedTokenizer.Encode("the lazy fox"));
        string json = await File.ReadAllTextAsync(Path.Combine(dir, TrainingCheckpoint.StateFileName), ct);
        Assert.Contains("\"data_cursor\": 1234567890123", json, StringComparison.Ordinal);
        Assert.Contains("\"format_version\": 1", json, StringComparison.Ordinal);
        // The weights alone are an ordinary Hugging Face checkpoint.
        TinyTraining.AssertBitIdentical(model.Parameters, HuggingFaceCheckpoint.Load(dir).Parameters);
    }

    [Fact]
    public async Task Training_k_steps_saving_and_resuming_in_fresh_instances_ends_bit_identical_to_training_straight_through()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const int total = 6, saveAfter = 2;
        var straight = TinyTraining.CreateModel();
        var straightOptimizer = TinyTraining.CreateOptimizer(straight);
        for (int step = 0; step < total; step++) TinyTraining.Step(straight, straightOptimizer, step);

        var first = TinyTraining.CreateModel();
        var firstOptimizer = TinyTraining.CreateOptimizer(first);
        for (int step = 0; step < saveAfter; step++) TinyTraining.Step(first, firstOptimizer, step);
        var directory = new CheckpointDirectory(_root.Path, keepLast: 2);
        await TrainingCheckpoint.SaveAsync(directory.PathFor(TrainerState.SftStage, saveAfter), first, firstOptimizer, null,
            new TrainerState { Step = saveAfter, DataCursor = saveAfter }, ct);

        // A different initialisation proves the weights come from the checkpoint.
        var resumed = TransformerModel.Create(TinyTraining.Config());
        var resumedOptimizer = TinyTraining.CreateOptimizer(resumed);
        TrainerState state = await TrainingCheckpoint.LoadAsync(directory.Latest()!, resumed, resumedOptimizer, ct);
        for (int step = (int)state.DataCursor; step < total; step++) TinyTraining.Step(resumed, resumedOptimizer, step);

        TinyTraining.AssertBitIdentical(straight.Parameters, resumed.Parameters);
        Assert.Equal(straightOptimizer.StepCount, resumedOptimizer.StepCount);
    }

    [Fact]
    public async Task A_lora_model_is_saved_as_a_peft_adapter_and_resumes_bit_identically()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        static (TransformerModel, Engine.Optim.AdamW) Create()
        {
            var model = TinyTraining.CreateModel();
            foreach (var adapter in model.AttachLora(4, 8, ["q_proj", "v_proj", "down_proj"])) adapter.InitializeDefault(new Random(3));
            return (model, TinyTraining.CreateOptimizer(model));
        }
        var (straight, straightOptimizer) = Create();
        for (int step = 0; step < 4; step++) TinyTraining.Step(straight, straightOptimizer, step);
        var (first, firstOptimizer) = Create();
        for (int step = 0; step < 2; step++) TinyTraining.Step(first, firstOptimizer, step);
        string dir = Path.Combine(_root.Path, "lora");

        await TrainingCheckpoint.SaveAsync(dir, first, firstOptimizer, null, new TrainerState { Stage = TrainerState.GrpoStage, Step = 2 }, ct);
        var (resumed, resumedOptimizer) = Create();
        await TrainingCheckpoint.LoadAsync(dir, resumed, resumedOptimizer, ct);
        for (int step = 2; step < 4; step++) TinyTraining.Step(resumed, resumedOptimizer, step);

        Assert.True(File.Exists(Path.Combine(dir, LoraCheckpoint.ConfigFileName)));
        Assert.False(File.Exists(Path.Combine(dir, HuggingFaceCheckpoint.WeightsFileName)));
        Assert.Equal(12, resumedOptimizer.State.Count);
        TinyTraining.AssertBitIdentical(Adapters(straight), Adapters(resumed));
        TinyTraining.AssertBitIdentical(straight.Parameters, resumed.Parameters);

        // Without an optimizer, a model that has no adapters gets them from adapter_config.json.
        var bare = TinyTraining.CreateModel();
        await TrainingCheckpoint.LoadAsync(dir, bare, null, ct);
        TinyTraining.AssertBitIdentical(Adapters(first), Adapters(bare));
    }

    [Fact]
    public async Task Saving_over_an_existing_checkpoint_replaces_it_and_leaves_no_staging_directory()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var model = TinyTraining.CreateModel();
        var optimizer = TinyTraining.CreateOptimizer(model);
        string dir = Path.Combine(_root.Path, "checkpoint");
        await TrainingCheckpoint.SaveAsync(dir, model, optimizer, null, new TrainerState { Step = 0 }, ct);
        TinyTraining.Step(model, optimizer, 0);

        await TrainingCheckpoint.SaveAsync(dir, model, optimizer, null, new TrainerState { Step = 1 }, ct);
        var fresh = TransformerModel.Create(TinyTraining.Config());
        var freshOptimizer = TinyTraining.CreateOptimizer(fresh);
        TrainerState state = await TrainingCheckpoint.LoadAsync(dir, fresh, freshOptimizer, ct);

        Assert.Equal(1, state.Step);
        Assert.Equal(1, freshOptimizer.StepCount);
        TinyTraining.AssertBitIdentical(model.Parameters, fresh.Parameters);
        Assert.Equal(["checkpoint"], Directory.GetDirectories(_root.Path).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public async Task A_cancelled_save_leaves_the_previous_checkpoint_untouched()
    {
        var model = TinyTraining.CreateModel();
        string dir = Path.Combine(_root.Path, "checkpoint");
        await TrainingCheckpoint.SaveAsync(dir, model, null, null, new TrainerState { Step = 5 }, TestContext.Current.CancellationToken);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => TrainingCheckpoint.SaveAsync(dir, model, null, null, new TrainerState { Step = 6 }, cancelled.Token));

        var fresh = TransformerModel.Create(TinyTraining.Config());
        Assert.Equal(5, (await TrainingCheckpoint.LoadAsync(dir, fresh, null, TestContext.Current.CancellationToken)).Step);
        Assert.Equal(["checkpoint"], Directory.GetDirectories(_root.Path).Select(Path.GetFileName));
    }

    private static IEnumerable<Parameter> Adapters(TransformerModel model) => model.LoraAdapters.SelectMany(a => new[] { a.A, a.B });
}
