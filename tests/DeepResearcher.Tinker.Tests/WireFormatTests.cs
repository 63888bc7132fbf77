using DeepResearcher.Tinker.Wire;

namespace DeepResearcher.Tinker.Tests;

/// <summary>
/// The records serialise exactly as the SDK's types do (Fixtures/README.md names each type's SDK file): field names,
/// defaults present, nulls absent, enum strings, tensors typed by dtype, stop in its three shapes.
/// </summary>
public sealed class WireFormatTests
{
    private static readonly Datum CrossEntropyDatum = new()
    {
        ModelInput = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = [4, 5, 6] }] },
        LossFnInputs = new(StringComparer.Ordinal)
        {
            ["target_tokens"] = TensorData.FromInts([5, 6, 7]),
            ["weights"] = TensorData.FromFloats([0f, 0.5f, 0.5f]),
        },
    };

    public static TheoryData<string, object> Requests() => new()
    {
        { "create_session_request", new CreateSessionRequest { Tags = [], UserMetadata = [], SdkVersion = "deepresearcher-0.1.0" } },
        { "session_heartbeat_request", new SessionHeartbeatRequest { SessionId = "session_abc" } },
        { "create_model_request", new CreateModelRequest { SessionId = "session_abc", ModelSeqId = 0, BaseModel = "Qwen/Qwen3-8B", LoraConfig = new LoraConfig { Rank = 32, Seed = 7 } } },
        { "forward_backward_request_cross_entropy", new ForwardBackwardRequest { ModelId = "model_abc", SeqId = 1, ForwardBackwardInput = new ForwardBackwardInput { Data = [CrossEntropyDatum], LossFn = "cross_entropy" } } },
        { "forward_backward_request_importance_sampling", new ForwardBackwardRequest { ModelId = "model_abc", SeqId = 2, ForwardBackwardInput = new ForwardBackwardInput { Data = [RlDatum([0f, 0.75f, 0.75f])], LossFn = "importance_sampling" } } },
        {
            "forward_backward_request_ppo", new ForwardBackwardRequest
            {
                ModelId = "model_abc", SeqId = 3,
                ForwardBackwardInput = new ForwardBackwardInput { Data = [RlDatum([0f, -0.5f, -0.5f])], LossFn = "ppo", LossFnConfig = new(StringComparer.Ordinal) { ["clip_low_threshold"] = 0.8, ["clip_high_threshold"] = 1.2 } },
            }
        },
        {
            "forward_request", new ForwardRequest
            {
                ModelId = "model_abc", SeqId = 4,
                ForwardInput = new ForwardBackwardInput { Data = [CrossEntropyDatum with { LossFnInputs = new(StringComparer.Ordinal) { ["target_tokens"] = TensorData.FromInts([5, 6, 7]), ["weights"] = TensorData.FromFloats([0f, 0f, 0f]) } }], LossFn = "cross_entropy" },
            }
        },
        { "optim_step_request", new OptimStepRequest { ModelId = "model_abc", SeqId = 5, AdamParams = new AdamParamsWire() } },
        { "save_weights_request", new SaveWeightsRequest { ModelId = "model_abc", Path = "step-10", SeqId = 6 } },
        { "load_weights_request", new LoadWeightsRequest { ModelId = "model_abc", SeqId = 7, Path = "tinker://model_abc/weights/step-10", Optimizer = true } },
        { "save_weights_for_sampler_request", new SaveWeightsForSamplerRequest { ModelId = "model_abc", SamplingSessionSeqId = 0, SeqId = 8 } },
        { "create_sampling_session_request", new CreateSamplingSessionRequest { SessionId = "session_abc", SamplingSessionSeqId = 1, BaseModel = "Qwen/Qwen3-8B" } },
        {
            "sample_request", new SampleRequest
            {
                NumSamples = 4,
                Prompt = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = [1, 2, 3] }] },
                SamplingParams = new SamplingParams { MaxTokens = 16, Seed = 3, Stop = new StopSequences { TokenIds = [151645] } },
                SamplingSessionId = "sampling_abc", SeqId = 0, PromptLogprobs = true,
            }
        },
        {
            "sample_request_stop_strings", new SampleRequest
            {
                Prompt = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = [1, 2, 3] }] },
                SamplingParams = new SamplingParams { MaxTokens = 8, Stop = new StopSequences { Strings = ["</answer>"] }, Temperature = 0.7, TopK = 20, TopP = 0.95 },
                BaseModel = "Qwen/Qwen3-8B",
            }
        },
        { "future_retrieve_request", new FutureRetrieveRequest { RequestId = "42" } },
    };

    public static TheoryData<string, Type> Responses() => new()
    {
        { "create_session_response", typeof(CreateSessionResponse) },
        { "session_heartbeat_response", typeof(SessionHeartbeatResponse) },
        { "health_response", typeof(HealthResponse) },
        { "get_server_capabilities_response", typeof(GetServerCapabilitiesResponse) },
        { "create_model_response", typeof(CreateModelResponse) },
        { "untyped_api_future", typeof(UntypedApiFuture) },
        { "forward_backward_output", typeof(ForwardBackwardOutput) },
        { "optim_step_response", typeof(OptimStepResponse) },
        { "save_weights_response", typeof(SaveWeightsResponse) },
        { "load_weights_response", typeof(LoadWeightsResponse) },
        { "save_weights_for_sampler_response", typeof(SaveWeightsForSamplerResponse) },
        { "create_sampling_session_response", typeof(CreateSamplingSessionResponse) },
        { "sample_response", typeof(SampleResponse) },
        { "try_again_response", typeof(TryAgainResponse) },
        { "request_failed_response", typeof(RequestFailedResponse) },
        { "checkpoints_list_response", typeof(CheckpointsListResponse) },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void A_request_serialises_as_the_sdk_sends_it(string fixture, object request)
    {
        JsonSemantics.AssertEqual(Fixture(fixture), System.Text.Json.JsonSerializer.Serialize(request, request.GetType(), TinkerJson.Options));
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void A_request_fixture_reads_back_into_the_same_record(string fixture, object request)
    {
        object? read = System.Text.Json.JsonSerializer.Deserialize(Fixture(fixture), request.GetType(), TinkerJson.Options);

        JsonSemantics.AssertEqual(Fixture(fixture), System.Text.Json.JsonSerializer.Serialize(read, request.GetType(), TinkerJson.Options));
    }

    [Theory]
    [MemberData(nameof(Responses))]
    public void A_response_round_trips_without_losing_or_adding_a_field(string fixture, Type type)
    {
        object? read = System.Text.Json.JsonSerializer.Deserialize(Fixture(fixture), type, TinkerJson.Options);

        JsonSemantics.AssertEqual(Fixture(fixture), System.Text.Json.JsonSerializer.Serialize(read, type, TinkerJson.Options));
    }

    [Fact]
    public void Responses_read_into_their_values()
    {
        SampleResponse sample = TinkerJson.Deserialize<SampleResponse>(Fixture("sample_response"));
        ForwardBackwardOutput output = TinkerJson.Deserialize<ForwardBackwardOutput>(Fixture("forward_backward_output"));
        RequestFailedResponse failed = TinkerJson.Deserialize<RequestFailedResponse>(Fixture("request_failed_response"));

        Assert.Equal(new[] { "stop", "length" }, sample.Sequences.Select(s => s.StopReason));
        Assert.Equal(new[] { 7, 151645 }, sample.Sequences[0].Tokens);
        Assert.Equal(new float?[] { null, -2.5f, -1f }, sample.PromptLogprobs!);
        Assert.Equal(1.125, output.Metrics["loss:sum"]);
        Assert.Equal(TensorData.Float32, output.LossFnOutputs[0]["logprobs"].Dtype);
        Assert.Equal(new[] { -1.5, -0.25, -2.0 }, output.LossFnOutputs[0]["logprobs"].Data);
        Assert.Equal("user", failed.Category);
    }

    [Fact]
    public void Int64_tensors_are_written_as_integers_and_float32_at_float_precision()
    {
        string json = TinkerJson.Serialize(new Dictionary<string, TensorData>
        {
            ["ids"] = TensorData.FromInts([1, 151645]),
            ["lp"] = TensorData.FromFloats([-0.1f]),
        });

        Assert.Equal("""{"ids":{"data":[1,151645],"dtype":"int64","shape":[2]},"lp":{"data":[-0.1],"dtype":"float32","shape":[1]}}""", json);
    }

    [Fact]
    public void A_sparse_tensor_expands_to_its_dense_values()
    {
        var sparse = new TensorData { Data = [1, 2], Dtype = TensorData.Float32, Shape = [2, 3], SparseCrowIndices = [0, 1, 2], SparseColIndices = [2, 0] };

        Assert.Equal(new double[] { 0, 0, 1, 2, 0, 0 }, sparse.ToDense());
    }

    [Theory]
    [InlineData("\"</answer>\"", true)]
    [InlineData("[\"a\", \"b\"]", false)]
    [InlineData("[1, 2]", false)]
    public void Stop_reads_and_writes_its_three_shapes(string json, bool single)
    {
        StopSequences stop = TinkerJson.Deserialize<StopSequences>(json);

        Assert.Equal(single, stop.Single);
        JsonSemantics.AssertEqual(json, TinkerJson.Serialize(stop));
    }

    [Fact]
    public void Mixed_stop_values_and_a_tensor_without_dtype_are_refused_with_the_reason()
    {
        var mixed = Assert.Throws<System.Text.Json.JsonException>(() => TinkerJson.Deserialize<StopSequences>("[\"a\", 1]"));
        var untyped = Assert.Throws<System.Text.Json.JsonException>(() => TinkerJson.Deserialize<TensorData>("{\"data\": [1]}"));

        Assert.Contains("not mixed", mixed.Message, StringComparison.Ordinal);
        Assert.Contains("int64 or float32", untyped.Message, StringComparison.Ordinal);
    }

    internal static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".json"));

    private static Datum RlDatum(float[] advantages) => new()
    {
        ModelInput = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = [4, 5, 6] }] },
        LossFnInputs = new(StringComparer.Ordinal)
        {
            ["target_tokens"] = TensorData.FromInts([5, 6, 7]),
            ["logprobs"] = TensorData.FromFloats([-1.5f, -0.25f, -2f]),
            ["advantages"] = TensorData.FromFloats(advantages),
        },
    };
}
