using DeepResearcher.Core.Agent;
using DeepResearcher.Web.Reading;

namespace DeepResearcher.Web.Tests.Reading;

public class PageReaderTests
{
    private static readonly string[] Segments =
    [
        "Freedonia is a small country in Europe. Its flag is green. Tourism is popular in summer.",
        "The economy of Freedonia relies on cheese. The capital of Freedonia is Fredville, founded in 1820. Fredville has a river port.",
        "Weather in the region is mild. Many birds migrate through.",
        "The capital of Freedonia moved once, in 1901, to Fredville from Oldtown.",
    ];

    [Fact]
    public async Task Extractive_reader_finds_the_relevant_sentences_and_pages_down_while_relevant()
    {
        var reader = new ExtractivePageReader();

        PageReading reading = await reader.ReadAsync(Request(), TestContext.Current.CancellationToken);

        string all = string.Join(" ", reading.Findings.Select(f => f.Summary));
        Assert.Contains("The capital of Freedonia is Fredville, founded in 1820.", all, StringComparison.Ordinal);
        Assert.DoesNotContain("birds", all, StringComparison.Ordinal);
        Assert.Equal([0, 1], reading.Findings.Select(f => f.PageNumber));
        Assert.Equal(3, reading.NextSegment); // segment 2 does not mention the question at all: reading stopped after it
        Assert.False(reading.ReachedEnd);
    }

    [Fact]
    public async Task Extractive_reader_prefers_a_specific_fact_over_templated_filler_that_names_the_subject()
    {
        string[] templates = ["lasting reforms in education", "quiet disputes in the arts", "sweeping shifts in trade", "modest fashions in music", "gradual habits in cooking", "uneven tensions in farming"];
        var filler = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            filler.Add($"In the years that followed, Vera Quill was associated with {templates[i % templates.Length]}.");
        }

        filler.Insert(23, "Vera Quill came into the world in 1923.");
        var reader = new ExtractivePageReader();

        PageReading reading = await reader.ReadAsync(new PageReadRequest
        {
            MainQuestion = "What year was Vera Quill born in?",
            SubQuestion = "Vera Quill born year",
            Url = "u",
            Segments = [string.Join(" ", filler)],
        }, TestContext.Current.CancellationToken);

        string summary = Assert.Single(reading.Findings).Summary;
        Assert.Contains("Vera Quill came into the world in 1923.", summary, StringComparison.Ordinal);
        // Diversity: the five slots are not five copies of one template.
        Assert.True(summary.Split("associated with").Length - 1 <= 4, summary);
    }

    [Fact]
    public async Task Extractive_reader_resumes_and_skips_what_memory_already_holds()
    {
        var reader = new ExtractivePageReader();

        PageReading reading = await reader.ReadAsync(
            Request() with { StartSegment = 3, Memory = "The capital of Freedonia is Fredville, founded in 1820." },
            TestContext.Current.CancellationToken);

        Assert.Equal("The capital of Freedonia moved once, in 1901, to Fredville from Oldtown.", Assert.Single(reading.Findings).Summary);
        Assert.Equal(3, reading.Findings[0].PageNumber);
        Assert.True(reading.ReachedEnd);
    }

    [Fact]
    public async Task Llm_reader_stops_at_the_hard_cap_when_the_model_always_pages_down()
    {
        var model = new FixedReplyModel("<extracted_info>something</extracted_info><page_down>yes</page_down><short_summary>more</short_summary>");
        var reader = new LlmPageReader(model);
        string[] many = [.. Enumerable.Range(0, 20).Select(i => $"segment {i}")];

        PageReading reading = await reader.ReadAsync(Request() with { Segments = many, MaxSegments = 8 }, TestContext.Current.CancellationToken);

        Assert.Equal(8, model.Calls);
        Assert.Equal(8, reading.SegmentsRead);
        Assert.Equal(8, reading.NextSegment);
        Assert.False(reading.ReachedEnd);
    }

    [Fact]
    public async Task Llm_reader_builds_memory_and_stops_when_told()
    {
        var model = new FixedReplyModel(
            "<extracted_info>Fredville is the capital.</extracted_info>\n<page_down>yes</page_down>\n<short_summary>found it</short_summary>",
            "<extracted_info>None</extracted_info><page_down>no</page_down><short_summary>done</short_summary>");
        var reader = new LlmPageReader(model);

        PageReading reading = await reader.ReadAsync(Request(), TestContext.Current.CancellationToken);

        Assert.Equal("Fredville is the capital.", Assert.Single(reading.Findings).Summary);
        Assert.Equal(2, reading.NextSegment);
        string secondPrompt = model.Prompts[1];
        Assert.Contains("<sub_question>capital of Freedonia</sub_question>\n<useful_info>Fredville is the capital.</useful_info>", secondPrompt, StringComparison.Ordinal);
        Assert.Contains("<page_index>2</page_index>", secondPrompt, StringComparison.Ordinal);
        Assert.Contains("<total_page_number>4</total_page_number>", secondPrompt, StringComparison.Ordinal);
        Assert.Contains(Segments[1], secondPrompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Llm_reader_falls_back_to_the_extractive_reader_when_the_model_fails()
    {
        var reader = new LlmPageReader(new FixedReplyModel { Fail = true }, new ExtractivePageReader());

        PageReading reading = await reader.ReadAsync(Request(), TestContext.Current.CancellationToken);

        Assert.Contains("reader LLM failed", reading.Note, StringComparison.Ordinal);
        Assert.Contains("extractive", reading.Note, StringComparison.Ordinal);
        Assert.Contains(reading.Findings, f => f.Summary.Contains("Fredville", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("<extracted_info>A</extracted_info><page_down>Yes.</page_down><short_summary>s</short_summary>", "A", true, "s")]
    [InlineData("<extracted_info>A <page_down>no</page_down>", "A", false, "")]
    [InlineData("<extracted_info>\nnone\n</extracted_info><page_down>no", "", false, "")]
    [InlineData("garbage", "", false, "")]
    public void Reader_replies_parse_leniently(string text, string info, bool pageDown, string summary)
    {
        ReaderReply reply = ReaderReply.Parse(text);

        Assert.Equal(info, reply.ExtractedInfo);
        Assert.Equal(pageDown, reply.PageDown);
        Assert.Equal(summary, reply.Summary);
    }

    private static PageReadRequest Request() => new()
    {
        MainQuestion = "What is the capital of Freedonia?",
        SubQuestion = "capital of Freedonia",
        Url = "https://wiki.example/Freedonia",
        Segments = Segments,
    };

    private sealed class FixedReplyModel(params string[] replies) : IChatModel
    {
        public int Calls { get; private set; }

        public bool Fail { get; init; }

        public List<string> Prompts { get; } = [];

        public string Name => "fixed";

        public bool SupportsPrefill => false;

        public Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            Prompts.Add(request.Messages[0].Content);
            if (Fail)
            {
                throw new HttpRequestException("connection refused");
            }

            return Task.FromResult(new ModelReply { Text = replies[Math.Min(Calls - 1, replies.Length - 1)] });
        }
    }
}
