using DeepResearcher.Training.Checkpoints;

namespace DeepResearcher.Training.Tests.Checkpoints;

public sealed class CheckpointDirectoryTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Names_sort_in_training_order_and_carry_the_stage_and_step()
    {
        var directory = new CheckpointDirectory(_root.Path, keepLast: 3);

        string[] names =
        [
            Path.GetFileName(directory.PathFor(TrainerState.SftStage, 10)),
            Path.GetFileName(directory.PathFor(TrainerState.SftStage, 200)),
            Path.GetFileName(directory.PathFor(TrainerState.GrpoStage, 5)),
            Path.GetFileName(directory.PathFor(TrainerState.GrpoStage, 40)),
        ];

        Assert.Equal(["1-sft-000010", "1-sft-000200", "2-grpo-000005", "2-grpo-000040"], names);
        Assert.Equal(names, names.Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentException>(() => directory.PathFor("ppo", 1));
    }

    [Fact]
    public async Task Latest_is_the_newest_complete_checkpoint_and_ignores_staging_and_incomplete_directories()
    {
        var directory = new CheckpointDirectory(_root.Path, keepLast: 3);
        Assert.Null(directory.Latest());
        await SaveAsync(directory, TrainerState.SftStage, 20);
        await SaveAsync(directory, TrainerState.SftStage, 100);
        await SaveAsync(directory, TrainerState.GrpoStage, 3);
        // A save killed before its rename, one killed before trainer_state.json, and a directory that is no checkpoint.
        string crashed = directory.PathFor(TrainerState.GrpoStage, 4) + ".tmp-0123abcd";
        Directory.CreateDirectory(crashed);
        await File.WriteAllTextAsync(Path.Combine(crashed, "model.safetensors"), "half", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(directory.PathFor(TrainerState.GrpoStage, 5));
        Directory.CreateDirectory(Path.Combine(_root.Path, "logs"));

        Assert.Equal(directory.PathFor(TrainerState.GrpoStage, 3), directory.Latest());
        Assert.Equal([("sft", 20), ("sft", 100), ("grpo", 3)], directory.Checkpoints().Select(c => (c.Stage, c.Step)));

        directory.CleanTemporaries();

        Assert.False(Directory.Exists(crashed));
        Assert.True(Directory.Exists(Path.Combine(_root.Path, "logs")));
        Assert.Equal(directory.PathFor(TrainerState.GrpoStage, 3), directory.Latest());
    }

    [Fact]
    public async Task A_crash_between_the_two_renames_of_a_replacing_save_is_recovered_with_the_new_checkpoint()
    {
        var directory = new CheckpointDirectory(_root.Path, keepLast: 3);
        string target = directory.PathFor(TrainerState.GrpoStage, 7);
        await SaveAsync(directory, TrainerState.GrpoStage, 7, dataCursor: 1);
        Directory.Move(target, target + ".tmp-replaced-00ff");
        await SaveAsync(directory, TrainerState.GrpoStage, 8, dataCursor: 2);
        Directory.Move(directory.PathFor(TrainerState.GrpoStage, 8), target + ".tmp-99aa");

        Assert.Null(directory.Latest());
        directory.CleanTemporaries();

        Assert.Equal(target, directory.Latest());
        var state = await TrainingCheckpoint.LoadAsync(target, TinyTraining.CreateModel(), null, TestContext.Current.CancellationToken);
        Assert.Equal(2, state.DataCursor);
        Assert.Equal([Path.GetFileName(target)], Directory.GetDirectories(_root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Prune_keeps_the_last_k_of_each_stage()
    {
        var directory = new CheckpointDirectory(_root.Path, keepLast: 2);
        foreach (int step in new[] { 10, 20, 30, 40 }) await SaveAsync(directory, TrainerState.SftStage, step);
        foreach (int step in new[] { 1, 2, 3 }) await SaveAsync(directory, TrainerState.GrpoStage, step);

        directory.Prune();

        Assert.Equal([("sft", 30), ("sft", 40), ("grpo", 2), ("grpo", 3)], directory.Checkpoints().Select(c => (c.Stage, c.Step)));
        Assert.Equal(4, Directory.GetDirectories(_root.Path).Length);
    }

    [Fact]
    public async Task Prune_with_keep_last_one_never_deletes_the_latest_and_zero_keeps_everything()
    {
        var keepAll = new CheckpointDirectory(_root.Path, keepLast: 0);
        foreach (int step in new[] { 1, 2, 3 }) await SaveAsync(keepAll, TrainerState.SftStage, step);
        keepAll.Prune();
        Assert.Equal(3, keepAll.Checkpoints().Count);

        var keepOne = new CheckpointDirectory(_root.Path, keepLast: 1);
        keepOne.Prune();

        Assert.Equal(keepOne.PathFor(TrainerState.SftStage, 3), Assert.Single(keepOne.Checkpoints()).Path);
    }

    private static Task SaveAsync(CheckpointDirectory directory, string stage, int step, long dataCursor = 0) =>
        TrainingCheckpoint.SaveAsync(directory.PathFor(stage, step), TinyTraining.CreateModel(), null, null,
            new TrainerState { Stage = stage, Step = step, DataCursor = dataCursor }, TestContext.Current.CancellationToken);
}
