using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>GET /api/v1/training_runs/MODEL/checkpoints. (SDK <c>types/checkpoints_list_response.py</c>)</summary>
public sealed record CheckpointsListResponse
{
    [JsonPropertyName("checkpoints")]
    public IReadOnlyList<Checkpoint> Checkpoints { get; init; } = [];
}
