using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Tests.Sampling;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>Every way the engine changes a model's weights moves its weight version.</summary>
public sealed class WeightVersionTests
{
    [Fact]
    public void AnOptimizerStep_BumpsTheModelsVersion()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 1);
        var optimizer = new AdamW(model.TrainableParameters);
        long before = model.WeightVersion;
        optimizer.Step(1e-3f);
        Assert.Equal(before + 1, model.WeightVersion);
    }

    [Fact]
    public void AttachingAndInitialisingLora_BumpTheVersion()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 2);
        long before = model.WeightVersion;
        var adapters = model.AttachLora(2, 4f, ["q_proj"]);
        long attached = model.WeightVersion;
        Assert.True(attached > before);
        adapters[0].InitializeDefault(new Random(1));
        Assert.True(model.WeightVersion > attached);

        // The adapters' parameters belong to the model too: stepping only them bumps it.
        long initialised = model.WeightVersion;
        new AdamW(model.TrainableParameters).Step(1e-3f);
        Assert.True(model.WeightVersion > initialised);
    }

    [Fact]
    public async Task LoadingACheckpoint_IntoAModel_BumpsItsVersion()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 3);
        string directory = Path.Combine(Path.GetTempPath(), "weight-version-" + Guid.NewGuid().ToString("N"));
        try
        {
            await HuggingFaceCheckpoint.SaveAsync(model, directory, SafetensorsDType.F32, null, TestContext.Current.CancellationToken);
            var other = RandomModels.Create(RandomModels.TinyQwen, seed: 4);
            long before = other.WeightVersion;
            HuggingFaceCheckpoint.LoadWeights(other, directory);
            Assert.True(other.WeightVersion > before);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AFreeStandingParameter_HasNoModelToBump()
    {
        var parameter = new Parameter("w", 4);
        parameter.Grad[0] = 1;
        new AdamW([parameter]).Step(1e-3f);
        Assert.NotEqual(0f, parameter.Data[0]);
    }
}
