namespace DeepMem.Policies.BuiltIn;

/// <summary>The migration actions <see cref="QLearningPolicy"/> chooses among each epoch.</summary>
public enum QLearningAction
{
    /// <summary>Migrate nothing.</summary>
    Nothing,
    /// <summary>Promote the hottest slow-tier pages, a quarter batch, swapping with colder fast-tier pages when full.</summary>
    PromoteFew,
    /// <summary>Promote the hottest slow-tier pages, a full batch, swapping with colder fast-tier pages when full.</summary>
    PromoteMany,
    /// <summary>Demote the coldest fast-tier pages not touched in the epoch, a quarter batch.</summary>
    DemoteCold,
}
