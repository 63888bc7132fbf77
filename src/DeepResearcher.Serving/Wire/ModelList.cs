namespace DeepResearcher.Serving.Wire;

/// <summary><c>GET /v1/models</c>.</summary>
public sealed record ModelList(IReadOnlyList<ModelCard> Data)
{
    public string Object => "list";
}
