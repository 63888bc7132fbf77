namespace DeepResearcher.Training.Checkpoints;

/// <summary>What a checkpoint records about the model it started from, for tools that open it later.</summary>
public sealed record CheckpointSaveOptions
{
    /// <summary>The base model of a LoRA run (adapter_config.json's base_model_name_or_path), so PEFT can find it.</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The base checkpoint's config.json text, whose extra keys are kept in the saved config.json.</summary>
    public string? BaseConfigJson { get; init; }
}
