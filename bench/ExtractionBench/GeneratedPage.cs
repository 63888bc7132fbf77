namespace ExtractionBench;

/// <summary>A synthetic page and what it is known to contain: the main-text sentences and the boilerplate sentences.</summary>
internal sealed record GeneratedPage(string File, string Layout, string Html, IReadOnlyList<string> MainSentences, IReadOnlyList<string> BoilerplateSentences);
