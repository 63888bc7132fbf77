using System.CommandLine;
using DeepResearcher.ChatModels;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// The options naming an OpenAI-compatible endpoint and a model there, for one role: the policy (<c>--model-url</c>,
/// <c>--model</c>, <c>--api-key-env</c>), the judge (<c>--judge-url</c>, <c>--judge-model</c>, <c>--judge-api-key-env</c>)
/// or the reader LLM (<c>--reader-model-url</c>, <c>--reader-model</c>, <c>--reader-api-key-env</c>). Every command that
/// calls a model declares its options here, so a role's options read and are checked the same way in every command.
/// </summary>
internal sealed class ModelEndpointOptions
{
    private ModelEndpointOptions(string role, string whose, string url, string model, string apiKeyEnv, (string Timeout, string Retries, double Seconds)? requests)
    {
        Url = new Option<string?>(url) { Description = $"{role}base URL of an OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp, Ollama, a hosted API), e.g. http://127.0.0.1:8000/v1." };
        Model = new Option<string?>(model) { Description = $"{role}the model's name at that endpoint." };
        ApiKeyEnv = new Option<string>(apiKeyEnv) { Description = $"Environment variable holding {whose} API key (never printed).", DefaultValueFactory = _ => "OPENAI_API_KEY" };
        if (requests is var (timeoutName, retriesName, seconds))
        {
            Timeout = new Option<double>(timeoutName) { Description = $"Seconds per request attempt to {whose} endpoint.", DefaultValueFactory = _ => seconds };
            Retries = new Option<int>(retriesName) { Description = $"Retries per request to {whose} endpoint on 408/429/5xx and network errors, with backoff that honours Retry-After.", DefaultValueFactory = _ => 4 };
            OptionRules.Require(Timeout, t => t > 0, $"{timeoutName} must be more than 0 seconds");
            OptionRules.Require(Retries, n => n >= 0, $"{retriesName} must be 0 or more");
        }
    }

    public Option<string?> Url { get; }

    public Option<string?> Model { get; }

    public Option<string> ApiKeyEnv { get; }

    /// <summary>Null for a role whose requests take the client's defaults (the reader).</summary>
    public Option<double>? Timeout { get; }

    public Option<int>? Retries { get; }

    /// <summary>The policy's endpoint: <c>research</c>, <c>eval run</c>, and the base model of <c>data filter</c>.</summary>
    public static ModelEndpointOptions Policy() => new("Policy: ", "the policy's", "--model-url", "--model", "--api-key-env", ("--timeout", "--retries", 120));

    /// <summary>The MBE judge of <c>eval judge</c> and <c>eval run --judge-url</c>.</summary>
    public static ModelEndpointOptions Judge() => new("Judge: ", "the judge's", "--judge-url", "--judge-model", "--judge-api-key-env", ("--judge-timeout", "--judge-retries", 60));

    /// <summary>The reading agent of <c>--reader llm</c>.</summary>
    public static ModelEndpointOptions Reader() => new("Reader: ", "the reader LLM's", "--reader-model-url", "--reader-model", "--reader-api-key-env", null);

    public IEnumerable<Option> All => new Option?[] { Url, Model, ApiKeyEnv, Timeout, Retries }.OfType<Option>();

    public void AddTo(Command command)
    {
        foreach (Option option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>True when the URL or the model is given.</summary>
    public bool IsGiven(ParseResult parse) => parse.GetValue(Url) is not null || parse.GetValue(Model) is not null;

    /// <summary>The endpoint the options name, or null when neither URL nor model is given; one without the other is a usage error.</summary>
    /// <param name="prefill">Continue a started assistant turn (the policy's <c>--prefill</c>).</param>
    public OpenAIChatModelOptions? Read(ParseResult parse, bool prefill = false)
    {
        string? url = parse.GetValue(Url);
        string? model = parse.GetValue(Model);
        if (url is null && model is null)
        {
            return null;
        }

        if (url is null)
        {
            throw new UsageException($"{Model.Name} needs {Url.Name} URL (the endpoint that serves it)");
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            throw new UsageException($"{Url.Name} needs {Model.Name} NAME");
        }

        var defaults = new OpenAIChatModelOptions { BaseUrl = OptionUrl.Parse(Url.Name, url), Model = model };
        return new OpenAIChatModelOptions
        {
            BaseUrl = defaults.BaseUrl,
            Model = model,
            ApiKeyEnvironmentVariable = parse.GetRequiredValue(ApiKeyEnv),
            Timeout = Timeout is null ? defaults.Timeout : TimeSpan.FromSeconds(parse.GetValue(Timeout)),
            MaxRetries = Retries is null ? defaults.MaxRetries : parse.GetValue(Retries),
            ContinueFinalMessage = prefill,
        };
    }

    /// <summary>As <see cref="Read"/>, for a command that cannot run without the model.</summary>
    public OpenAIChatModelOptions ReadRequired(ParseResult parse, string why, bool prefill = false)
        => Read(parse, prefill) ?? throw new UsageException($"{why}: give {Url.Name} URL and {Model.Name} NAME");
}
