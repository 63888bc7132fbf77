using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Recipes.Tests.Configuration;

/// <summary>The trainer.backend, tinker and tools keys: what a run on a Tinker service or on the web must be given, and what it cannot do.</summary>
public sealed class BackendConfigTests
{
    [Fact]
    public void A_tinker_backend_without_its_service_model_and_tokenizer_is_refused_naming_each_key()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.Trainer.Backend = PolicyBackendKind.Tinker;

        string message = Assert.Throws<ConfigException>(() => TrainingConfigFile.Validate(config)).Message;

        Assert.Contains("tinker.base_url", message, StringComparison.Ordinal);
        Assert.Contains("tinker.base_model", message, StringComparison.Ordinal);
        Assert.Contains("tinker.tokenizer", message, StringComparison.Ordinal);
    }

    [Fact]
    public void What_tinkers_ppo_cannot_express_is_refused_before_the_run_starts()
    {
        TrainingConfig config = Tinker();
        config.Actor.EntropyCoeff = 0.001;
        config.Actor.LossAggMode = LossAggregation.ConstantNormalizer;
        config.Model.Lora = true;

        string message = Assert.Throws<ConfigException>(() => TrainingConfigFile.Validate(config)).Message;

        Assert.Contains("actor.entropy_coeff must be 0 with trainer.backend tinker", message, StringComparison.Ordinal);
        Assert.Contains("actor.loss_agg_mode must be token-mean", message, StringComparison.Ordinal);
        Assert.Contains("model.lora is for the local backend", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_tinker_config_passes_and_tinker_keys_on_a_local_run_are_refused()
    {
        TrainingConfigFile.Validate(Tinker());

        TrainingConfig local = Tinker();
        local.Trainer.Backend = PolicyBackendKind.Local;
        Assert.Contains("set trainer.backend: tinker", Assert.Throws<ConfigException>(() => TrainingConfigFile.Validate(local)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_on_the_web_needs_question_files_no_demonstrator_and_a_pretrained_policy()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.Tools.Search = "auto";

        string message = Assert.Throws<ConfigException>(() => TrainingConfigFile.Validate(config)).Message;

        Assert.Contains("data.train_files and data.val_files", message, StringComparison.Ordinal);
        Assert.Contains("no expert to demonstrate", message, StringComparison.Ordinal);
        Assert.Contains("needs a pretrained policy", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_backend_and_the_reader_are_read_by_name_from_the_file()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dr-backend-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(file, "trainer:\n  backend: remote\n");
            Assert.Contains("trainer.backend must be local or tinker (got 'remote')", Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(file, null)).Message, StringComparison.Ordinal);
            File.WriteAllText(file, "tools:\n  reader: gpt\n");
            Assert.Contains("tools.reader must be extractive or llm (got 'gpt')", Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(file, null)).Message, StringComparison.Ordinal);
            File.WriteAllText(file, "trainer:\n  backend: tinker\ntinker:\n  base_model: x\n");
            Assert.Equal(PolicyBackendKind.Tinker, TrainingConfigFile.Load(file, null).Trainer.Backend);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static TrainingConfig Tinker()
    {
        string tokenizer = Path.Combine(Path.GetTempPath(), $"dr-tokenizer-{Guid.NewGuid():N}.json");
        File.WriteAllText(tokenizer, "{}");
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.Trainer.Backend = PolicyBackendKind.Tinker;
        config.Tinker.BaseUrl = "http://127.0.0.1:8100";
        config.Tinker.BaseModel = "offline-tiny";
        config.Tinker.LoraRank = 0;
        config.Tinker.Tokenizer = tokenizer;
        return config;
    }
}
