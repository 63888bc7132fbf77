using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Recipes.Tests.Pipeline;

/// <summary><c>data.train_files</c> / <c>data.val_files</c>: the original's parquet layout chooses a run's questions.</summary>
public sealed class QuestionFilesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-question-files-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static QaExample ToExample(WorldQuestion q) => new(q.Id, q.Source, q.Question, q.Answers) { Hops = q.Hops };

    private async Task<(TrainingConfig Config, IReadOnlyList<WorldQuestion> Train, IReadOnlyList<WorldQuestion> Test)> WorldAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string world = Path.Combine(_dir, "world");
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 5, Size = WorldSizes.Parse("tiny") }, null, ct);
        IReadOnlyList<WorldQuestion> train = await QuestionJsonl.ReadAsync(Path.Combine(world, "questions", "train.jsonl"), ct);
        IReadOnlyList<WorldQuestion> test = await QuestionJsonl.ReadAsync(Path.Combine(world, "questions", "test.jsonl"), ct);

        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.World.Dir = world;
        config.World.Port = DeepResearcher.Testing.FreeLoopbackPort.Next();
        config.Model.VocabSize = 400;
        config.Model.HiddenSize = 32;
        config.Model.NumLayers = 1;
        config.Model.NumHeads = 2;
        config.Model.NumKvHeads = 1;
        config.Model.IntermediateSize = 64;
        config.Data.TrainBatchSize = 2;
        config.Data.EvalQuestions = 0;
        config.Data.MaxTurns = 2;
        config.Data.MaxResponseLength = 12;
        config.Rollout.N = 2;
        config.Sft.NumDemos = 4;
        config.Sft.Steps = 1;
        config.Sft.PretrainSteps = 0;
        config.Sft.LrSchedule = LrSchedule.Constant;
        config.Sft.DemoNoise = DemoNoise.None;
        config.Sft.BatchSize = 2;
        config.Trainer.TotalSteps = 1;
        return (config, train, test);
    }

    [Fact]
    public async Task Train_and_held_out_questions_come_from_verl_parquet_files_of_the_worlds_questions()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (TrainingConfig config, IReadOnlyList<WorldQuestion> train, IReadOnlyList<WorldQuestion> test) = await WorldAsync();
        WorldQuestion[] chosenTrain = [.. train.Take(6)];
        WorldQuestion[] chosenTest = [.. test.Skip(1).Take(3)];
        config.Data.TrainFiles = Path.Combine(_dir, "train.parquet");
        config.Data.ValFiles = Path.Combine(_dir, "test.parquet");
        await QaDataset.WriteAsync(config.Data.TrainFiles, [.. chosenTrain.Select(ToExample)], ct, split: "train");
        await QaDataset.WriteAsync(config.Data.ValFiles, [.. chosenTest.Select(ToExample)], ct, split: "test");
        TrainingConfigFile.Validate(config);
        var log = new List<string>();

        TrainingResult result = await new TrainingPipeline(config, Path.Combine(_dir, "run"), new Progress<string>(log.Add)).RunAsync(ct);

        Assert.Contains(log, l => l == $"train questions: 6 from {config.Data.TrainFiles}");
        Assert.Contains(log, l => l == $"held-out questions: 3 from {config.Data.ValFiles}");
        Assert.Equal(3, result.AfterGrpo.Questions);
        string[] results = File.ReadAllLines(Path.Combine(result.RunDirectory, "results.jsonl"));
        Assert.Equal(chosenTest.Select(q => q.Id).Order(StringComparer.Ordinal),
            results.Select(l => JsonNode.Parse(l)!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var trainIds = chosenTrain.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        string[] groups = File.ReadAllLines(Path.Combine(result.RunDirectory, "groups.jsonl"));
        Assert.Equal(2, groups.Length);
        Assert.All(groups, g => Assert.Contains(JsonNode.Parse(g)!["question_id"]!.GetValue<string>(), trainIds));
    }

    [Fact]
    public async Task A_question_the_world_does_not_have_is_a_config_error_naming_the_key_and_the_id()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (TrainingConfig config, IReadOnlyList<WorldQuestion> train, _) = await WorldAsync();
        config.Data.TrainFiles = Path.Combine(_dir, "train.parquet");
        await QaDataset.WriteAsync(config.Data.TrainFiles, [ToExample(train[0]), new QaExample("nq_-8508", "nq", "Who wrote Hamlet?", ["Shakespeare"])], ct);

        ConfigException error = await Assert.ThrowsAsync<ConfigException>(
            () => new TrainingPipeline(config, Path.Combine(_dir, "run"), new Progress<string>(_ => { })).RunAsync(ct));

        Assert.Contains("data.train_files: 1 of 2 questions", error.Message, StringComparison.Ordinal);
        Assert.Contains("(first: 'nq_-8508')", error.Message, StringComparison.Ordinal);
        Assert.Contains("data export", error.Message, StringComparison.Ordinal);
    }
}
