namespace DeepResearcher.World.Generation;

public enum EntityType
{
    Country,
    City,
    Person,
    Organisation,
    Work,
    River,
    Mountain,
    Event,
}
