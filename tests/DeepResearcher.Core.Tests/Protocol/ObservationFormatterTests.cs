using DeepResearcher.Core.Protocol.Observations;

namespace DeepResearcher.Core.Tests.Protocol;

public class ObservationFormatterTests
{
    private static readonly SearchObservation Search = new(
    [
        new QueryResults("capital of France",
        [
            new SearchHit("Paris - it's the capital", "https://en.example/Paris", "Paris is the capital."),
        ]),
    ]);

    [Fact]
    public void Paper_format_is_the_originals_python_repr()
    {
        string text = new ObservationFormatter(ObservationFormat.Paper).Render(Search);

        Assert.Equal(
            "[{'search_query': 'capital of France', 'web_page_info_list': [{'title': \"Paris - it's the capital\", 'url': 'https://en.example/Paris', 'quick_summary': 'Paris is the capital.'}]}]",
            text);
    }

    [Fact]
    public void Json_format_has_the_same_structure()
    {
        string text = new ObservationFormatter(ObservationFormat.Json).Render(Search);

        Assert.Equal(
            "[{\"search_query\": \"capital of France\", \"web_page_info_list\": [{\"title\": \"Paris - it's the capital\", \"url\": \"https://en.example/Paris\", \"quick_summary\": \"Paris is the capital.\"}]}]",
            text);
        Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(text));
    }

    [Fact]
    public void Browse_observations_list_page_numbers_and_summaries()
    {
        var browse = new BrowseObservation(
        [
            new PageFindings("https://x.example", [new PageInformation(0, "A"), new PageInformation(2, "B\nC")]),
            new PageFindings("https://dead.example", [], "HTTP 404"),
        ]);

        string text = new ObservationFormatter(ObservationFormat.Paper).Render(browse);

        Assert.Equal(
            "[{'url': 'https://x.example', 'information': [{'page_number': 0, 'page_summary': 'A'}, {'page_number': 2, 'page_summary': 'B\\nC'}]}, " +
            "{'url': 'https://dead.example', 'information': [], 'error': 'HTTP 404'}]",
            text);
    }

    [Fact]
    public void Errors_say_what_went_wrong()
    {
        Assert.Equal("[{'error': 'boom'}]", new ObservationFormatter(ObservationFormat.Paper).Render(new ToolErrorObservation("boom")));
        Assert.Equal(
            "[{'search_query': 'q', 'web_page_info_list': [], 'error': 'provider down'}]",
            new ObservationFormatter(ObservationFormat.Paper).Render(new SearchObservation([new QueryResults("q", [], "provider down")])));
    }
}
