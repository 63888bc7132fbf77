namespace DeepResearcher.Tinker.Service;

/// <summary>A checkpoint on disk: whose, which kind (<see cref="TinkerPath.Weights"/> or <see cref="TinkerPath.SamplerWeights"/>), its name and directory.</summary>
public sealed record StoredCheckpoint(string ModelId, string Kind, string Name, string Directory, DateTimeOffset Time, long SizeBytes)
{
    public TinkerPath Path => new(ModelId, Kind, Name);
}
