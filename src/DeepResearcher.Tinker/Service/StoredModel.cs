namespace DeepResearcher.Tinker.Service;

/// <summary>A training run: the session and sequence number that named it, its base model, its LoRA rank (0: full weights) and seed.</summary>
public sealed record StoredModel(string ModelId, string SessionId, long ModelSeqId, string BaseModel, int LoraRank, long Seed, long CreateRequestId);
