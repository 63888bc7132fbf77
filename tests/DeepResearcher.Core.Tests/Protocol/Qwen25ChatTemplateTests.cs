using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Rendering;

namespace DeepResearcher.Core.Tests.Protocol;

/// <summary>Expected strings are written out by hand from Qwen2.5-Instruct's chat template (tokenizer_config.json).</summary>
public class Qwen25ChatTemplateTests
{
    private static readonly ToolSchema Weather = new(
        "get_weather",
        "Météo du jour",
        new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } },
            ["required"] = new JsonArray("city"),
        });

    private const string WeatherToolsBlock =
        "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
        "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Météo du jour\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}\n" +
        "</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
        "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

    private static readonly Qwen25ChatTemplate Template = Qwen25ChatTemplate.Instance;

    [Fact]
    public void Renders_system_user_and_generation_prompt_without_tools()
    {
        string text = Template.Render([ChatMessage.System("You are a bot."), ChatMessage.User("Hi")], null, addGenerationPrompt: true);

        Assert.Equal("<|im_start|>system\nYou are a bot.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void Inserts_Qwens_default_system_prompt_when_there_is_none()
    {
        string text = Template.Render([ChatMessage.User("Hi")], null, addGenerationPrompt: false);

        Assert.Equal("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n", text);
    }

    [Fact]
    public void The_tools_block_follows_the_default_system_prompt()
    {
        string text = Template.Render([ChatMessage.User("Hi")], [Weather], addGenerationPrompt: false);

        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant." + WeatherToolsBlock + "<|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n",
            text);
    }

    [Fact]
    public void Renders_tool_calls_and_groups_consecutive_tool_responses_in_one_user_turn()
    {
        var call = new ToolCall("get_weather", new JsonObject { ["city"] = "Zürich" });
        ChatMessage[] conversation =
        [
            ChatMessage.System("S"),
            ChatMessage.User("Q"),
            ChatMessage.Assistant("<think>t</think>", [call]),
            ChatMessage.Tool("get_weather", "R1"),
            ChatMessage.Tool("get_weather", "R2"),
            ChatMessage.Assistant("<think>done</think>\n<answer>X</answer>"),
        ];

        string text = Template.Render(conversation, [Weather], addGenerationPrompt: false);

        Assert.Equal(
            "<|im_start|>system\nS" + WeatherToolsBlock + "<|im_end|>\n" +
            "<|im_start|>user\nQ<|im_end|>\n" +
            "<|im_start|>assistant\n<think>t</think>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\"}}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\nR1\n</tool_response>\n<tool_response>\nR2\n</tool_response><|im_end|>\n" +
            "<|im_start|>assistant\n<think>done</think>\n<answer>X</answer><|im_end|>\n",
            text);
    }

    [Fact]
    public void An_assistant_tool_call_without_content_has_no_blank_line()
    {
        var call = new ToolCall("get_weather", new JsonObject { ["city"] = "Oslo" });

        string text = Template.Render([ChatMessage.System("S"), ChatMessage.Assistant(string.Empty, [call])], null, addGenerationPrompt: false);

        Assert.EndsWith("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call><|im_end|>\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_research_tools_render_as_python_json_dumps_would()
    {
        string system = Template.SystemContent("S", ResearchTools.All);

        Assert.Contains(
            "\n{\"type\": \"function\", \"function\": {\"name\": \"web_search\", \"description\": \"Search the web (Google) for information. Use it when the information gathered so far is not enough to answer, or when the previous search results were irrelevant.\", " +
            "\"parameters\": {\"type\": \"object\", \"properties\": {\"query\": {\"type\": \"array\", \"items\": {\"type\": \"string\", \"description\": \"Search query.\"}, \"minItems\": 1, \"uniqueItems\": true, \"description\": \"The list of search queries to run.\"}}, \"required\": [\"query\"]}}}\n" +
            "{\"type\": \"function\", \"function\": {\"name\": \"browse_webpage\"",
            system,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Tool_response_pieces_match_the_full_rendering()
    {
        ChatMessage[] conversation = [ChatMessage.System("S"), ChatMessage.User("Q"), ChatMessage.Assistant("A"), ChatMessage.Tool("web_search", "OBS")];

        string full = Template.Render(conversation, ResearchTools.All, addGenerationPrompt: true);
        string pieces = Template.RenderPrompt("S", ResearchTools.All, "Q") + "A" + Template.EndOfTurn + Template.ToolResponseTurn("OBS") + Template.AssistantTurnStart;

        Assert.Equal(full, pieces);
    }

    [Fact]
    public void The_system_prompt_carries_the_date_and_both_tools()
    {
        string prompt = SystemPrompt.Render(new DateOnly(2026, 11, 21));

        Assert.StartsWith("## Background information\n* Today is 2026-11-21\n* You are Deep AI Research Assistant\n", prompt, StringComparison.Ordinal);
        Assert.Contains("A webpage browsing tool", prompt, StringComparison.Ordinal);
        Assert.Contains("you should only answer yes or no.", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("webpage browsing", SystemPrompt.Render(new DateOnly(2026, 11, 21), searchOnly: true), StringComparison.Ordinal);
    }

    [Fact]
    public void Llama3_pieces_match_its_full_rendering()
    {
        IPromptRenderer llama = PromptRenderers.Get("llama3");
        ChatMessage[] conversation = [ChatMessage.System("S"), ChatMessage.User("Q"), ChatMessage.Assistant("A"), ChatMessage.Tool("web_search", "OBS")];

        string full = llama.Render(conversation, ResearchTools.All, addGenerationPrompt: true);
        string pieces = llama.RenderPrompt("S", ResearchTools.All, "Q") + "A" + llama.EndOfTurn + llama.ToolResponseTurn("OBS") + llama.AssistantTurnStart;

        Assert.Equal(full, pieces);
        Assert.StartsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS\n\n# Tools", full, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_template_names_are_rejected_with_the_known_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => PromptRenderers.Get("mistral"));

        Assert.Contains("qwen2.5", ex.Message, StringComparison.Ordinal);
    }
}
