namespace DeepResearcher.Serving.Models;

/// <summary>A PEFT LoRA directory to serve under its own model name, as vLLM's <c>--lora-modules name=path</c>.</summary>
public sealed record AdapterSource(string Name, string Directory)
{
    /// <summary>Reads <c>NAME=DIR</c>, or <c>DIR</c> alone (named after its last path segment).</summary>
    public static AdapterSource Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            return new AdapterSource(text[..equals], text[(equals + 1)..]);
        }
        string trimmed = text.TrimEnd('/', '\\');
        return new AdapterSource(Path.GetFileName(trimmed), text);
    }
}
