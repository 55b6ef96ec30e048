// The loop's ready set against a plain model (the ready mailboxes by registration number) over a
// random history of adoptions, adds, takes and releases: the index the loop draws names the same
// mailbox in both, so a schedule's choices mean the same whatever came and went before.
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

public sealed class SimReadySetSpec
{
    [Fact]
    public void SimReadySet_must_take_the_mailbox_at_an_index_by_registration_number()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var random = new Random(seed);
            var set = new SimReadySet();
            var boxes = new List<Mailbox>();
            var model = new SortedDictionary<int, Mailbox>();
            for (var round = 0; round < 2_000; round++)
            {
                var where = $"seed {seed}, round {round}";
                var roll = random.Next(10);
                if (roll < 2 || boxes.Count == 0)
                {
                    var box = new Mailbox(new UnboundedMessageQueue());
                    set.Adopt(box);
                    boxes.Add(box);
                }
                else if (roll < 6)
                {
                    var number = random.Next(boxes.Count);
                    if (model.ContainsKey(number) || !set.IsAdopted(boxes[number])) continue;
                    Assert.True(set.TryAdd(boxes[number]), where);
                    model.Add(number, boxes[number]);
                }
                else if (roll < 9 && model.Count > 0)
                {
                    var index = random.Next(model.Count);
                    var expected = model.ElementAt(index);
                    Assert.True(set.NumberAt(index) == expected.Key, where);
                    Assert.True(ReferenceEquals(set.TakeAt(index), expected.Value), where);
                    model.Remove(expected.Key);
                }
                else
                {
                    // A stopped actor's mailbox leaves the set, ready or not.
                    var number = random.Next(boxes.Count);
                    set.Release(boxes[number]);
                    model.Remove(number);
                }
                Assert.True(set.Count == model.Count,
                    $"{where}: {set.Count} ready, not {model.Count}");
            }
        }
    }
}
