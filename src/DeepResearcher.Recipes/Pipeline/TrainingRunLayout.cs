using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>The files of a training run directory.</summary>
public sealed class TrainingRunLayout(string outDir)
{
    public string Root { get; } = Path.GetFullPath(outDir);

    /// <summary>The world built for the run when the config names none.</summary>
    public string World => Path.Combine(Root, "world");

    /// <summary>Metrics, groups, trajectories, results and the report (an evaluation-style run directory).</summary>
    public string Run => Path.Combine(Root, "run");

    /// <summary>Resumable checkpoints (model, optimizer, trainer state), the last K of each stage.</summary>
    public string Checkpoints => Path.Combine(Root, "checkpoints");

    /// <summary>The frozen KL reference: the policy at the end of SFT.</summary>
    public string Reference => Path.Combine(Root, "reference");

    /// <summary>The tokenizer trained for the run, written once before the model exists.</summary>
    public string Tokenizer => Path.Combine(Root, "tokenizer.json");

    /// <summary>The before/after evaluations, one JSON file each, so a resumed run does not redo them.</summary>
    public string Evaluation(string tag) => Path.Combine(Root, "evals", tag + ".json");

    /// <summary>An evaluation's per-question results (one line per sampled trajectory), for reading what the policy answered.</summary>
    public RunDirectory EvaluationRun(string tag) => new(Path.Combine(Root, "evals", tag));

    /// <summary>The model as initialised, before any training, with its tokenizer: a base model for <c>serve training</c>.</summary>
    public string InitialModel => Path.Combine(Root, "initial-model");

    /// <summary>The final model as a Hugging Face directory (config.json, model.safetensors, tokenizer.json).</summary>
    public string FinalCheckpoint => Path.Combine(Root, "checkpoint");
}
