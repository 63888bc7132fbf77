using System.ClientModel;
using System.Text.Json.Nodes;
using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Testing;
using Microsoft.Extensions.AI;
using OpenAI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;

namespace DeepResearcher.Core.Tests.ChatModels;

/// <summary>
/// Microsoft.Extensions.AI both ways: M.E.AI's own OpenAI <see cref="IChatClient"/> as the agent's policy against a
/// loopback OpenAI-compatible server, and the project's models as an <see cref="IChatClient"/> under M.E.AI's builder.
/// </summary>
public class ChatClientAdapterTests
{
    private const string Question = "What is the capital of Freedonia?";
    private const string Url = "https://wiki.example/Freedonia";
    private const string SearchTurn = "<think>I need to search.</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"capital of Freedonia\"]}}\n</tool_call>";
    private const string AnswerTurn = "<think>The search says Fredville.</think>\n<answer>Fredville</answer>";

    private static IChatClient OpenAIClient(ScriptedOpenAIServer server, string model)
        => new OpenAI.Chat.ChatClient(model, new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = server.BaseUrl }).AsIChatClient();

    [Fact]
    public async Task An_IChatClient_from_MEAI_OpenAI_is_the_research_agents_policy()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText(SearchTurn + " text after the stop string, which the server cuts", AnswerTurn);
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults["capital of Freedonia"] = [new SearchHit("Freedonia - Wiki", Url, "The capital of Freedonia is Fredville.")];
        var policy = new ChatClientModel(OpenAIClient(server, "qwen-7b"));
        var options = new ResearchAgentOptions { Sampling = new SamplingOptions { Temperature = 0.6f, TopP = 0.95f, Seed = 11 } };

        Trajectory trajectory = await new ResearchAgent(policy, toolbox, options).RunAsync(Question, ct, questionId: "q1");

        Assert.Equal("qwen-7b", policy.Name);
        Assert.Equal(TerminationReason.Answered, trajectory.Termination);
        Assert.Equal("Fredville", trajectory.FinalAnswer);
        Assert.Equal("qwen-7b", trajectory.Model);
        Assert.Equal(SearchTurn, trajectory.Turns[0].Generated); // the stop string the server cut, put back
        Assert.Equal(["capital of Freedonia"], Assert.Single(toolbox.Calls).Queries);
        Assert.True(trajectory.Usage.PromptTokens > 0);

        // The wire: the original's prompt (tools block in the system message, tool response as a user message), the
        // agent's sampling and stop strings, all through M.E.AI's OpenAI client.
        JsonObject second = server.Requests[1];
        JsonArray messages = second["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Contains("# Tools", Text(messages[0]!["content"]!), StringComparison.Ordinal);
        Assert.Contains("<tool_response>", Text(messages[3]!["content"]!), StringComparison.Ordinal);
        Assert.Equal("qwen-7b", second["model"]!.GetValue<string>());
        Assert.Equal(0.6, second["temperature"]!.GetValue<double>(), 1e-6);
        Assert.Equal(0.95, second["top_p"]!.GetValue<double>(), 1e-6);
        Assert.Equal(11, second["seed"]!.GetValue<long>());
        Assert.Equal(["</tool_call>", "</answer>"], second["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    /// <summary>A message's content as M.E.AI's OpenAI client sends it: a string, or an array of text parts.</summary>
    private static string Text(JsonNode content) => content is JsonArray parts
        ? string.Concat(parts.Select(p => p!["text"]!.GetValue<string>()))
        : content.GetValue<string>();

    [Fact]
    public async Task A_failing_client_is_a_chat_model_error_and_the_agent_records_a_model_failure()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.Enqueue(ScriptedReply.Error(400, "model 'nope' does not exist"));
        var policy = new ChatClientModel(OpenAIClient(server, "nope"));

        Trajectory trajectory = await new ResearchAgent(policy, new ScriptedToolbox(), new ResearchAgentOptions()).RunAsync(Question, ct);
        ChatModelException direct = await Assert.ThrowsAsync<ChatModelException>(() => policy.GenerateAsync(
            new GenerationRequest { Messages = [Core.Protocol.ChatMessage.User("hi")], Sampling = new SamplingOptions() }, ct));

        Assert.Equal(TerminationReason.ModelFailure, trajectory.Termination);
        Assert.Contains("'nope'", direct.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_projects_OpenAI_model_is_an_IChatClient_under_MEAIs_builder()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText("<think>short</think><answer>Paris</answer>");
        var model = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "qwen" });
        // M.E.AI middleware over the adapter: the options it sets reach the project's model and the wire.
        IChatClient client = new ChatClientBuilder(new ChatModelChatClient(model))
            .ConfigureOptions(o => o.Temperature ??= 0.25f)
            .Build();

        ChatResponse response = await client.GetResponseAsync(
            [new AiChatMessage(AiChatRole.System, "Answer in <answer> tags."), new AiChatMessage(AiChatRole.User, "Capital of France?")],
            new ChatOptions { MaxOutputTokens = 64, TopP = 0.5f, StopSequences = ["</answer>"] }, ct);

        Assert.Equal("<think>short</think><answer>Paris</answer>", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("qwen", response.ModelId);
        Assert.True(response.Usage!.InputTokenCount > 0);
        JsonObject sent = server.Requests[0];
        Assert.Equal(0.25, sent["temperature"]!.GetValue<double>(), 1e-6);
        Assert.Equal(0.5, sent["top_p"]!.GetValue<double>(), 1e-6);
        Assert.Equal(64, (sent["max_completion_tokens"] ?? sent["max_tokens"])!.GetValue<int>());
        Assert.Equal(["system", "user"], sent["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("qwen", client.GetService<ChatClientMetadata>()!.DefaultModelId);
        Assert.Same(model, client.GetService<IChatModel>());
    }

    [Fact]
    public async Task A_token_level_model_gets_the_conversation_rendered_by_its_template_and_continues_a_started_turn()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var tokenizer = new CharTokenizer("<|im_start|>", "<|im_end|>");
        var model = new ScriptedTokenModel(tokenizer, "Fredville</answer>");
        IChatClient client = new ChatModelChatClient(model);
        AiChatMessage[] conversation = [new(AiChatRole.System, "S"), new(AiChatRole.User, Question), new(AiChatRole.Assistant, "<think>")];

        ChatResponse response = await client.GetResponseAsync(conversation, cancellationToken: ct);
        var streamed = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(conversation, cancellationToken: ct))
        {
            streamed.Add(update);
        }

        Assert.Equal("Fredville</answer>", response.Text);
        string expected = Qwen25ChatTemplate.Instance.Render([Core.Protocol.ChatMessage.System("S"), Core.Protocol.ChatMessage.User(Question)], null, addGenerationPrompt: true) + "<think>";
        Assert.Equal(expected, tokenizer.Decode(model.Contexts[0]));
        Assert.Equal("Fredville</answer>", string.Concat(streamed.Select(u => u.Text)));
    }

    [Fact]
    public async Task Both_directions_compose_the_agent_runs_through_IChatClient_and_back()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText(AnswerTurn);
        var inner = new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = server.BaseUrl, Model = "m" });
        var policy = new ChatClientModel(new ChatModelChatClient(inner), new ChatClientModelOptions { Name = "wrapped" });

        Trajectory trajectory = await new ResearchAgent(policy, new ScriptedToolbox(), new ResearchAgentOptions()).RunAsync(Question, ct);

        Assert.Equal(("Fredville", "wrapped"), (trajectory.FinalAnswer, trajectory.Model));
        Assert.Equal(["</tool_call>", "</answer>"], server.Requests[0]["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
    }
}
