// Runs every BenchmarkDotNet micro-benchmark once, in this process, by calling its methods as
// BenchmarkDotNet would ([GlobalSetup], each [Benchmark], [GlobalCleanup], for each [Params]
// value): a benchmark that throws, or a project that no longer builds, fails here and not
// minutes into a BenchmarkDotNet run. Nothing is timed.
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Emulator.Benchmarks;
using Xunit;

namespace Emulator.Tests.Bench;

public sealed class MicroBenchmarksSpec
{
    /// <summary>The five subjects issue 9 names, one class each.</summary>
    private static readonly Type[] Subjects =
    [
        typeof(RuleBenchmarks), typeof(IdCodecBenchmarks), typeof(MemoryBenchmarks),
        typeof(SerializerBenchmarks), typeof(TraceOffBenchmarks),
    ];

    public static TheoryData<string> Classes()
    {
        var data = new TheoryData<string>();
        foreach (var type in BenchmarkClasses()) data.Add(type.Name);
        return data;
    }

    [Fact]
    public void Every_subject_must_have_its_benchmarks()
    {
        var found = BenchmarkClasses().ToList();
        foreach (var subject in Subjects)
        {
            Assert.True(found.Contains(subject), $"{subject.Name} has no [Benchmark] method");
            Assert.True(subject.IsDefined(typeof(MemoryDiagnoserAttribute)),
                $"{subject.Name} has no [MemoryDiagnoser]: its allocations would not show");
        }
    }

    [Theory]
    [MemberData(nameof(Classes))]
    public void Each_benchmark_must_run_once_without_throwing(string name)
    {
        var type = BenchmarkClasses().Single(t => t.Name == name);
        foreach (var assign in ParamsCombinations(type))
        {
            var instance = Activator.CreateInstance(type)!;
            var label = assign(instance);
            Invoke<GlobalSetupAttribute>(instance, label);
            try
            {
                foreach (var method in Methods<BenchmarkAttribute>(type))
                {
                    Invoke<IterationSetupAttribute>(instance, label);
                    Call(method, instance, label);
                    Invoke<IterationCleanupAttribute>(instance, label);
                }
            }
            finally
            {
                Invoke<GlobalCleanupAttribute>(instance, label);
            }
        }
    }

    [Fact]
    public void A_serialized_packet_must_read_back_as_the_message_it_carries()
    {
        // The serializer's benchmarks time nothing if the packet they read is not one.
        foreach (var message in MessageNames())
        {
            var bench = new SerializerBenchmarks { Message = message };
            bench.Setup();
            try
            {
                var back = bench.FromBinary();
                Assert.True(back is Emulator.Partitions.Xpc.XpcActor.Sequenced packet
                    && packet.Message.GetType().FullName!.Replace('+', '.').EndsWith(message),
                    $"{message}: read back {back}");
                Assert.True(bench.PacketBytes > 0, message);
            }
            finally
            {
                bench.Cleanup();
            }
        }
    }

    [Fact]
    public void An_emission_with_trace_off_must_allocate_nothing()
    {
        // Counted bytes, not time: every actor emits several events per fault, and neither the
        // checkers (for an event they keep nothing of) nor a trace that is off may allocate.
        var bench = new TraceOffBenchmarks();
        bench.Setup();
        try
        {
            const int calls = 1_000;
            for (var i = 0; i < calls; i++) Emit(bench);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < calls; i++) Emit(bench);
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(bytes == 0, $"{bytes / (double)calls} bytes per emission and delivery");
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static void Emit(TraceOffBenchmarks bench)
    {
        bench.Observe();
        bench.Emit();
        bench.Deliver();
    }

    private static IEnumerable<Type> BenchmarkClasses() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false }
                && Methods<BenchmarkAttribute>(t).Any());

    private static IEnumerable<MethodInfo> Methods<TAttribute>(Type type)
        where TAttribute : Attribute =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.IsDefined(typeof(TAttribute)));

    private static IEnumerable<string> MessageNames() =>
        typeof(SerializerBenchmarks).GetProperty(nameof(SerializerBenchmarks.Message))!
            .GetCustomAttribute<ParamsAttribute>()!.Values.Cast<string>();

    /// <summary>
    /// One setter per combination of the class's [Params] values (one, if it has none); each
    /// sets them on an instance and says which it set.
    /// </summary>
    private static IEnumerable<Func<object, string>> ParamsCombinations(Type type)
    {
        IEnumerable<Func<object, string>> combinations = [_ => type.Name];
        foreach (var property in type.GetProperties())
        {
            if (property.GetCustomAttribute<ParamsAttribute>() is not { } values) continue;
            combinations = combinations.SelectMany(before => values.Values.Select(value =>
                (Func<object, string>)(instance =>
                {
                    var label = before(instance);
                    property.SetValue(instance, value);
                    return $"{label} {property.Name}={value}";
                })));
        }
        return combinations.ToList();
    }

    private static void Invoke<TAttribute>(object instance, string label)
        where TAttribute : Attribute
    {
        foreach (var method in Methods<TAttribute>(instance.GetType()))
            Call(method, instance, label);
    }

    private static void Call(MethodInfo method, object instance, string label)
    {
        try
        {
            method.Invoke(instance, null);
        }
        catch (TargetInvocationException e)
        {
            throw new Xunit.Sdk.XunitException(
                $"{label}: {method.Name} threw {e.InnerException}");
        }
    }
}
