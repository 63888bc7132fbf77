namespace DeepResearcher.Serving.Wire;

/// <summary>One served model: the base checkpoint, or a LoRA adapter over it (<see cref="Parent"/> names the base, as vLLM does).</summary>
public sealed record ModelCard(string Id, long Created, string? Parent, string Root, int MaxModelLen)
{
    public string Object => "model";

    public string OwnedBy => "deepresearcher";
}
