using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Runs;

/// <summary>A run directory on disk (docs/run-format.md): paths and readers for its files.</summary>
public sealed class RunDirectory(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string ManifestPath => Path.Combine(Root, RunFiles.Manifest);

    public string ResultsPath => Path.Combine(Root, RunFiles.Results);

    public string TrajectoriesPath => Path.Combine(Root, RunFiles.Trajectories);

    public string MetricsPath => Path.Combine(Root, RunFiles.Metrics);

    public string GroupsPath => Path.Combine(Root, RunFiles.Groups);

    /// <summary>Training runs: one line per warm-start (pretraining or SFT) step.</summary>
    public string WarmStartPath => Path.Combine(Root, RunFiles.WarmStart);

    /// <summary>Training runs: one line per evaluation of the policy at a stage (before training, after SFT, after GRPO).</summary>
    public string EvaluationsPath => Path.Combine(Root, RunFiles.Evaluations);

    public string JudgeCachePath => Path.Combine(Root, RunFiles.JudgeCache);

    /// <summary>Checks that the directory exists and holds results, with a message that says what is wrong.</summary>
    public static RunDirectory Open(string root)
    {
        var run = new RunDirectory(root);
        if (!Directory.Exists(run.Root))
        {
            throw new DirectoryNotFoundException($"{run.Root}: run directory not found");
        }

        if (!File.Exists(run.ResultsPath) && !File.Exists(run.MetricsPath))
        {
            throw new DataFileException(run.ResultsPath, null, $"not found (nor {RunFiles.Metrics}): this is not a run directory ('eval run --out DIR' writes one)");
        }

        return run;
    }

    public Task<IReadOnlyList<RunResult>> LoadResultsAsync(CancellationToken cancellationToken) => RunResultFile.LoadAsync(ResultsPath, cancellationToken);

    /// <summary>The lines of a .jsonl file of objects (metrics, groups, warm-start, evaluations); empty when the file is missing.</summary>
    public static async Task<IReadOnlyList<JsonObject>> LoadObjectsAsync(string path, CancellationToken cancellationToken)
    {
        var rows = new List<JsonObject>();
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return rows;
        }

        await foreach ((int _, JsonElement element) in JsonlReader.ReadObjectsAsync(path, cancellationToken))
        {
            rows.Add(JsonObject.Create(element)!);
        }

        return rows;
    }

    /// <summary>The manifest, or a stand-in named after the directory when run.json is missing.</summary>
    public async Task<RunManifest> LoadManifestAsync(CancellationToken cancellationToken)
        => File.Exists(ManifestPath)
            ? await RunManifest.LoadAsync(ManifestPath, cancellationToken)
            : new RunManifest { Name = Path.GetFileName(Root), Kind = File.Exists(MetricsPath) ? "train" : "eval" };

    /// <summary>Trajectories by id (a later line with the same id wins); empty when the file is missing.</summary>
    public async Task<IReadOnlyDictionary<string, Trajectory>> LoadTrajectoriesAsync(CancellationToken cancellationToken)
    {
        var byId = new Dictionary<string, Trajectory>(StringComparer.Ordinal);
        if (!File.Exists(TrajectoriesPath))
        {
            return byId;
        }

        await foreach (Trajectory trajectory in TrajectoryJson.ReadAsync(TrajectoriesPath, cancellationToken))
        {
            byId[trajectory.Id] = trajectory;
        }

        return byId;
    }
}
