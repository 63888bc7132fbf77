using System.Text.Json;
using DeepResearcher.Engine.Checkpoints;

namespace DeepResearcher.Training.Checkpoints;

/// <summary>
/// Where a training run stands, saved as <c>trainer_state.json</c> (snake_case) beside the weights: enough, with the
/// optimizer state, to continue the run bit-identically. <see cref="Extra"/> holds whatever else the pipeline needs
/// back (RNG states, schedule positions) as strings, so adding a value does not need a format change.
/// </summary>
public sealed record TrainerState
{
    public const int CurrentFormatVersion = 1;

    public const string SftStage = "sft";

    public const string GrpoStage = "grpo";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary><see cref="SftStage"/> or <see cref="GrpoStage"/>.</summary>
    public string Stage { get; init; } = SftStage;

    /// <summary>Optimizer steps of <see cref="Stage"/> completed when the checkpoint was taken.</summary>
    public int Step { get; init; }

    public ulong Seed { get; init; }

    /// <summary>Position in the stage's data stream, so the next batch after resuming is the one that would have come.</summary>
    public long DataCursor { get; init; }

    /// <summary>SFT steps completed (all of them once GRPO has started), so a GRPO resume does not repeat the warm start.</summary>
    public int SftStepsDone { get; init; }

    /// <summary>Training time before this checkpoint, carried across resumes so reported durations add up.</summary>
    public double ElapsedSeconds { get; init; }

    public Dictionary<string, string> Extra { get; init; } = new(StringComparer.Ordinal);

    public string ToJson()
    {
        if (Problem(this) is { } problem) throw new InvalidOperationException($"cannot save this trainer state: {problem}");
        return JsonSerializer.Serialize(this, JsonOptions);
    }

    /// <summary>Parses trainer_state.json; <paramref name="sourcePath"/> names the file in errors.</summary>
    /// <exception cref="CheckpointFormatException">Not valid JSON, an unknown format version or stage, or a negative count.</exception>
    public static TrainerState Parse(string json, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(json);
        TrainerState? state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(sourcePath, null,
                $"not a valid trainer state ({e.Message}); the file is corrupt: resume from an older checkpoint or start again", e);
        }
        if (state is null)
            throw new CheckpointFormatException(sourcePath, null, "holds JSON null instead of a trainer state; resume from an older checkpoint or start again");
        state = state with { Extra = state.Extra ?? new(StringComparer.Ordinal) };
        if (Problem(state) is { } problem) throw new CheckpointFormatException(sourcePath, null, problem);
        return state;
    }

    private static string? Problem(TrainerState state)
    {
        if (state.FormatVersion != CurrentFormatVersion)
            return $"format_version {state.FormatVersion} is not the one this build reads ({CurrentFormatVersion}); resume with the DeepResearcher.NET version that wrote it, or start the run again";
        if (state.Stage is not (SftStage or GrpoStage))
            return $"stage '{state.Stage}' is neither '{SftStage}' nor '{GrpoStage}'";
        if (state.Step < 0 || state.SftStepsDone < 0 || state.DataCursor < 0 || !(state.ElapsedSeconds >= 0))
            return "step, sft_steps_done, data_cursor and elapsed_seconds must not be negative";
        return null;
    }
}
