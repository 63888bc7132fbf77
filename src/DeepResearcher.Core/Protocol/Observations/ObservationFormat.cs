namespace DeepResearcher.Core.Protocol.Observations;

public enum ObservationFormat
{
    /// <summary>The original's Python-repr lists of dicts (spec §2): what DeepResearcher checkpoints were trained on.</summary>
    Paper,

    /// <summary>The same structure as JSON.</summary>
    Json,
}
