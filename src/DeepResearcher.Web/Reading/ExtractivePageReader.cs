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
        // The sub-question (the query that found the page) is what this reading is for; the main question's other
        // words count half, so a bridge question's first hop does not drown the current one.
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string term in TextTerms.QuestionTerms(request.MainQuestion))
        {
            weights[term] = 0.5;
        }

        var subQuestion = new HashSet<string>(StringComparer.Ordinal);
        foreach (string term in TextTerms.Terms(request.SubQuestion))
        {
            weights[term] = 1.0;
            subQuestion.Add(term);
        }

        var findings = new List<PageInformation>();
        string memory = request.Memory;
        int segment = Math.Max(0, request.StartSegment);
        int read = 0;
        while (segment < request.Segments.Count && read < request.MaxSegments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (string? summary, bool relevant) = ReadSegment(request.Segments[segment], weights, subQuestion, memory);
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

    private (string? Summary, bool Relevant) ReadSegment(string text, Dictionary<string, double> weights, HashSet<string> subQuestion, string memory)
    {
        List<string> sentences = SentenceSplitter.Split(text);
        if (sentences.Count == 0 || weights.Count == 0)
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
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            }
        }

        double averageLength = Math.Max(1, totalLength / sentences.Count);
        int needed = Math.Min(_options.MinMatchedTerms, weights.Count);
        var scored = new List<(int Index, double Score)>();
        bool relevant = false;
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < sentences.Count; i++)
        {
            List<string> terms = termLists[i];
            frequency.Clear();
            bool informative = false;
            double salience = 0;
            int otherTerms = 0;
            foreach (string term in terms)
            {
                if (weights.ContainsKey(term))
                {
                    frequency[term] = frequency.GetValueOrDefault(term) + 1;
                }

                if (!subQuestion.Contains(term))
                {
                    informative = true;
                }

                if (!weights.ContainsKey(term))
                {
                    salience += Idf(sentences.Count, documentFrequency[term]);
                    otherTerms++;
                }
            }

            if (frequency.Count > 0)
            {
                relevant = true;
            }

            // A table row ("Founded | 1320") states one fact compactly: one matching word is enough. A line made only
            // of the sub-question's words (a heading with the subject's name) says nothing new.
            bool tableRow = sentences[i].Contains(" | ", StringComparison.Ordinal);
            if (frequency.Count < (tableRow ? 1 : needed) || !informative)
            {
                continue;
            }

            double score = 0;
            foreach ((string term, int tf) in frequency)
            {
                score += weights[term] * Idf(sentences.Count, documentFrequency[term]) * tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * terms.Count / averageLength))));
            }

            // Salience: a sentence whose other words are rare on the page states something specific ("412 km long");
            // one made of the page's common words is filler, however often it names the subject.
            double maxIdf = Idf(sentences.Count, 1);
            score *= 1 + (otherTerms == 0 ? 0 : salience / otherTerms / maxIdf);

            // Specificity: factoid answers are mostly numbers and names, so a sentence that carries some is preferred.
            score *= 1 + (0.5 * Math.Min(2, Specifics(sentences[i], weights)));

            if (!memory.Contains(Clip(sentences[i]), StringComparison.Ordinal))
            {
                scored.Add((i, score));
            }
        }

        if (scored.Count == 0)
        {
            return (null, relevant);
        }

        List<int> best = SelectDiverse(scored, termLists);
        return (string.Join(" ", best.Select(i => Clip(sentences[i]))), true);
    }

    /// <summary>
    /// Picks the best sentences one by one, discounting each candidate by its word overlap with those already picked
    /// (maximal marginal relevance), so twenty sentences from one template do not fill every slot.
    /// </summary>
    private List<int> SelectDiverse(List<(int Index, double Score)> candidates, List<List<string>> termLists)
    {
        var picked = new List<int>();
        var pickedTerms = new List<HashSet<string>>();
        var remaining = new List<(int Index, double Score)>(candidates);
        while (picked.Count < _options.MaxSentencesPerSegment && remaining.Count > 0)
        {
            int bestAt = -1;
            double bestScore = double.NegativeInfinity;
            for (int c = 0; c < remaining.Count; c++)
            {
                var terms = new HashSet<string>(termLists[remaining[c].Index], StringComparer.Ordinal);
                double overlap = 0;
                foreach (HashSet<string> chosen in pickedTerms)
                {
                    int shared = 0;
                    foreach (string term in terms)
                    {
                        if (chosen.Contains(term))
                        {
                            shared++;
                        }
                    }

                    int union = terms.Count + chosen.Count - shared;
                    overlap = Math.Max(overlap, union == 0 ? 0 : (double)shared / union);
                }

                double adjusted = remaining[c].Score * (1 - overlap);
                if (adjusted > bestScore || (adjusted == bestScore && remaining[c].Index < remaining[bestAt].Index))
                {
                    bestScore = adjusted;
                    bestAt = c;
                }
            }

            picked.Add(remaining[bestAt].Index);
            pickedTerms.Add(new HashSet<string>(termLists[remaining[bestAt].Index], StringComparer.Ordinal));
            remaining.RemoveAt(bestAt);
        }

        picked.Sort();
        return picked;
    }

    /// <summary>Numbers, and capitalised words that are neither the sentence's first word nor query words.</summary>
    private static int Specifics(string sentence, Dictionary<string, double> weights)
    {
        int count = 0;
        bool first = true;
        foreach (string word in sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string bare = word.Trim('.', ',', ';', ':', '(', ')', '"', '\'', '|');
            if (bare.Length > 0 && (char.IsDigit(bare[0]) || (!first && char.IsUpper(bare[0]) && !weights.ContainsKey(TextTerms.Stem(bare.ToLowerInvariant())))))
            {
                count++;
            }

            first = false;
        }

        return count;
    }

    private static double Idf(int sentences, int frequency) => Math.Log(1 + ((sentences - frequency + 0.5) / (frequency + 0.5)));

    private string Clip(string sentence)
        => sentence.Length <= _options.MaxSentenceChars ? sentence : sentence[.._options.MaxSentenceChars] + "…";
}
