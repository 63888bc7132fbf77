namespace DeepResearcher.World.Pages;

/// <summary>A run of text, optionally a link to <paramref name="Href"/> (a site-relative path).</summary>
public readonly record struct Inline(string Text, string? Href = null);
