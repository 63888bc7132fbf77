namespace DeepResearcher.Core.Protocol.Rendering;

/// <summary>Looks renderers up by the name used in configs and on the command line.</summary>
public static class PromptRenderers
{
    public static IReadOnlyList<IPromptRenderer> All { get; } = [Qwen25ChatTemplate.Instance, Llama3ChatTemplate.Instance];

    public static IPromptRenderer Get(string name)
    {
        foreach (IPromptRenderer renderer in All)
        {
            if (string.Equals(renderer.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return renderer;
            }
        }

        throw new ArgumentException($"Unknown chat template '{name}'. Known templates: {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));
    }
}
