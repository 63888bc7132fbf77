namespace DeepResearcher.World.Pages;

/// <summary>What the server sends for a path: status, HTML body, redirect target and an artificial delay.</summary>
public sealed record RenderedPage(int Status, string Html, string? Location = null, int DelayMs = 0);
