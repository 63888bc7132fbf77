using DeepResearcher.Core.Protocol.Observations;

namespace DeepResearcher.Web.Reading;

/// <summary>
/// A reader that needs no LLM: ranks each segment's sentences by BM25 against the main question and the
/// sub-question, keeps the best new ones, and pages down while the segment still mentions the questions' terms (an
/// introduction that names the subject but states no fact is a reason to read on, as the original's reader would).
/// The offline, zero-cost default, and the fallback when the reader LLM fails.
/// </summary>
public sealed class ExtractivePageReader(ExtractivePageReaderOptions? options = null) : IPageReader
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly ExtractivePageReaderOptions _options = options ?? new ExtractivePageReaderOptions();

    public string Name => "extractive";

    public Task<PageReading> ReadAsync(PageReadRequest request, CancellationToken cancellationToken)
    {
        var queryTerms = new HashSet<string>(TextTerms.Terms(request.MainQuestion + " " + request.SubQuestion), StringComparer.Ordinal);
        var findings = new List<PageInformation>();
        string memory = request.Memory;
        int segment = Math.Max(0, request.StartSegment);
        int read = 0;
        while (segment < request.Segments.Count && read < request.MaxSegments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (string? summary, bool relevant) = ReadSegment(request.Segments[segment], queryTerms, memory);
            read++;
            if (summary is not null)
            {
                findings.Add(new PageInformation(segment, summary));
                memory += "\n" + summary;
            }

            segment++;
            if (!relevant)
            {
                break;
            }
        }

        return Task.FromResult(new PageReading(findings, segment, read) { ReachedEnd = segment >= request.Segments.Count });
    }

    private (string? Summary, bool Relevant) ReadSegment(string text, HashSet<string> queryTerms, string memory)
    {
        List<string> sentences = SentenceSplitter.Split(text);
        if (sentences.Count == 0 || queryTerms.Count == 0)
        {
            return (null, false);
        }

        var termLists = new List<List<string>>(sentences.Count);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        double totalLength = 0;
        foreach (string sentence in sentences)
        {
            List<string> terms = TextTerms.Terms(sentence);
            termLists.Add(terms);
            totalLength += terms.Count;
            foreach (string term in new HashSet<string>(terms, StringComparer.Ordinal))
            {
                if (queryTerms.Contains(term))
                {
                    documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
                }
            }
        }

        double averageLength = Math.Max(1, totalLength / sentences.Count);
        int needed = Math.Min(_options.MinMatchedTerms, queryTerms.Count);
        var scored = new List<(int Index, double Score)>();
        bool relevant = false;
        for (int i = 0; i < sentences.Count; i++)
        {
            List<string> terms = termLists[i];
            var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string term in terms)
            {
                if (queryTerms.Contains(term))
                {
                    frequency[term] = frequency.GetValueOrDefault(term) + 1;
                }
            }

            if (frequency.Count > 0)
            {
                relevant = true;
            }

            if (frequency.Count < needed)
            {
                continue;
            }

            double score = 0;
            foreach ((string term, int tf) in frequency)
            {
                double idf = Math.Log(1 + ((sentences.Count - documentFrequency[term] + 0.5) / (documentFrequency[term] + 0.5)));
                score += idf * tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * terms.Count / averageLength))));
            }

            if (!memory.Contains(Clip(sentences[i]), StringComparison.Ordinal))
            {
                scored.Add((i, score));
            }
        }

        if (scored.Count == 0)
        {
            return (null, relevant);
        }

        scored.Sort((x, y) => y.Score != x.Score ? y.Score.CompareTo(x.Score) : x.Index.CompareTo(y.Index));
        List<int> best = [.. scored.Take(_options.MaxSentencesPerSegment).Select(s => s.Index).Order()];
        return (string.Join(" ", best.Select(i => Clip(sentences[i]))), true);
    }

    private string Clip(string sentence)
        => sentence.Length <= _options.MaxSentenceChars ? sentence : sentence[.._options.MaxSentenceChars] + "…";
}
