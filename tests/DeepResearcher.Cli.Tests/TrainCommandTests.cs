namespace DeepResearcher.Cli.Tests;

/// <summary><c>train</c>'s edges: the effective config, and bad input refused before any work starts.</summary>
public class TrainCommandTests
{
    [Fact]
    public async Task Print_config_shows_the_preset_with_the_files_and_options_on_top()
    {
        using var dir = new TempDirectory();
        string config = dir.Write("c.yaml", "rollout:\n  n: 4\nactor:\n  kl_coef: 0.01\n");

        CliRun run = await CliRun.InvokeAsync("train", "--config", config, "--steps", "7", "--seed", "3", "--print-config");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("n: 4", run.Output, StringComparison.Ordinal);
        Assert.Contains("kl_coef: 0.01", run.Output, StringComparison.Ordinal);
        Assert.Contains("total_steps: 7", run.Output, StringComparison.Ordinal);
        Assert.Contains("seed: 3", run.Output, StringComparison.Ordinal);
        Assert.Contains("tokenizer_world_names: true", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Print_config_without_a_config_is_the_preset_file_with_its_comments()
    {
        CliRun run = await CliRun.InvokeAsync("train", "--print-config");
        CliRun overridden = await CliRun.InvokeAsync("train", "--steps", "7", "--print-config");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(DeepResearcher.Recipes.Configuration.TrainingPresets.Text("offline-tiny"), run.Output);
        Assert.Contains("# 16 rollouts per question as in the original.", run.Output, StringComparison.Ordinal);
        Assert.Contains("# 16 rollouts per question as in the original.", overridden.Output, StringComparison.Ordinal);
        Assert.Contains("  total_steps: 7\n", overridden.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_key_wrong_type_and_missing_model_fail_with_the_reason_and_no_run_directory()
    {
        using var dir = new TempDirectory();
        string outDir = Path.Combine(dir.Path, "out");
        string unknown = dir.Write("unknown.yaml", "actor:\n  learning_rate: 0.1\n");
        string wrongType = dir.Write("type.yaml", "rollout:\n  n: many\n");

        CliRun a = await CliRun.InvokeAsync("train", "--config", unknown, "--out", outDir);
        CliRun b = await CliRun.InvokeAsync("train", "--config", wrongType, "--out", outDir);
        CliRun c = await CliRun.InvokeAsync("train", "--model", Path.Combine(dir.Path, "no-such-model"), "--out", outDir);
        CliRun d = await CliRun.InvokeAsync("train", "--preset", "qwen2.5-0.5b", "--out", outDir);

        Assert.NotEqual(0, a.ExitCode);
        Assert.Contains("learning_rate", a.Error, StringComparison.Ordinal);
        Assert.Contains("unknown key", a.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, b.ExitCode);
        Assert.Contains("type.yaml:2", b.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, c.ExitCode);
        Assert.Contains("no-such-model", c.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, d.ExitCode);
        Assert.Contains("--model", d.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), "nothing is written before the config is known to be good");
    }

    [Fact]
    public async Task Help_names_resume_and_model()
    {
        CliRun run = await CliRun.InvokeAsync("train", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--resume", run.Output, StringComparison.Ordinal);
        Assert.Contains("--model", run.Output, StringComparison.Ordinal);
    }
}
