using System.Globalization;
using System.Reflection;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;

namespace DeepResearcher.Web.Reading;

/// <summary>
/// The original's browsing agent (spec §4): an LLM reads the page segment by segment with the extract-new-information
/// prompt, keeps a memory of what it found, and decides whether to page down. Unlike the original it stops after
/// <see cref="PageReadRequest.MaxSegments"/> segments, and falls back to another reader when the LLM fails.
/// </summary>
public sealed class LlmPageReader(IChatModel model, IPageReader? fallback = null, LlmPageReaderOptions? options = null) : IPageReader
{
    private static readonly Lazy<string> Prompt = new(LoadPrompt);

    private readonly LlmPageReaderOptions _options = options ?? new LlmPageReaderOptions();

    public string Name => "llm";

    public async Task<PageReading> ReadAsync(PageReadRequest request, CancellationToken cancellationToken)
    {
        var findings = new List<PageInformation>();
        string memory = request.Memory;
        int segment = Math.Max(0, request.StartSegment);
        int read = 0;
        while (segment < request.Segments.Count && read < request.MaxSegments)
        {
            ModelReply reply;
            try
            {
                reply = await model.GenerateAsync(new GenerationRequest
                {
                    Messages = [ChatMessage.User(BuildPrompt(request, segment, memory))],
                    Sampling = new SamplingOptions { Temperature = _options.Temperature, MaxTokens = _options.MaxTokens, StopSequences = [] },
                    TrajectoryId = request.Url,
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return await FallBackAsync(request, findings, segment, read, memory, ex, cancellationToken);
            }

            ReaderReply parsed = ReaderReply.Parse(reply.Text);
            read++;
            if (parsed.ExtractedInfo.Length > 0)
            {
                findings.Add(new PageInformation(segment, parsed.ExtractedInfo));
                memory = AppendMemory(memory, request.SubQuestion, parsed.ExtractedInfo);
            }

            segment++;
            if (!parsed.PageDown)
            {
                break;
            }
        }

        return new PageReading(findings, segment, read) { ReachedEnd = segment >= request.Segments.Count };
    }

    private async Task<PageReading> FallBackAsync(
        PageReadRequest request, List<PageInformation> findings, int segment, int read, string memory, Exception error, CancellationToken cancellationToken)
    {
        string note = $"reader LLM failed ({error.GetType().Name}: {error.Message})";
        if (fallback is null)
        {
            return new PageReading(findings, segment, read) { Note = note };
        }

        PageReading rest = await fallback.ReadAsync(
            request with { StartSegment = segment, Memory = memory, MaxSegments = Math.Max(0, request.MaxSegments - read) }, cancellationToken);
        return new PageReading([.. findings, .. rest.Findings], rest.NextSegment, read + rest.SegmentsRead)
        {
            ReachedEnd = rest.ReachedEnd,
            Note = note + $"; used the {fallback.Name} reader instead",
        };
    }

    private string BuildPrompt(PageReadRequest request, int segment, string memory)
    {
        string page = request.Segments[segment];
        if (page.Length > _options.MaxSegmentChars)
        {
            page = page[.._options.MaxSegmentChars];
        }

        return Prompt.Value
            .Replace("{main_question}", request.MainQuestion, StringComparison.Ordinal)
            .Replace("{sub_question}", request.SubQuestion, StringComparison.Ordinal)
            .Replace("{context}", memory, StringComparison.Ordinal)
            .Replace("{page_index}", (segment + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{total_pages}", request.Segments.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{page}", page, StringComparison.Ordinal);
    }

    /// <summary>The memory format of the original: findings grouped under the sub-question that led to them.</summary>
    public static string AppendMemory(string memory, string subQuestion, string info)
        => (memory.Length == 0 ? string.Empty : memory + "\n") + $"<sub_question>{subQuestion}</sub_question>\n<useful_info>{info}</useful_info>";

    private static string LoadPrompt()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DeepResearcher.Web.extract_new_info.txt")
            ?? throw new InvalidOperationException("Embedded resource extract_new_info.txt is missing from DeepResearcher.Web.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().TrimEnd('\n');
    }
}
