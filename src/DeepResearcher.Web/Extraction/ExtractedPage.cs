namespace DeepResearcher.Web.Extraction;

/// <summary>The clean text of a page: its title and main content, with paragraph breaks as blank lines.</summary>
public sealed record ExtractedPage(string Title, string Text);
