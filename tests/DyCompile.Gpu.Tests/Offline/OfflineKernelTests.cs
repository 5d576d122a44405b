using System.Diagnostics;
using DyCompile.Backends.Gpu.Kernels;
using DyCompile.Backends.Gpu.Offline;
using Xunit.Abstractions;

namespace DyCompile.Gpu.Tests.Offline;

/// <summary>PTX and OpenCL C for every kernel of the op-kernel library, emitted with no GPU; the
/// OpenCL C is checked by clang's OpenCL front end when clang (16, or 14 and later) is installed.</summary>
public sealed class OfflineKernelTests(ITestOutputHelper output)
{
    public static TheoryData<string> KernelNames()
    {
        var data = new TheoryData<string>();
        foreach (var kernel in GpuKernelLibrary.DeviceKernels()) data.Add(OfflineKernels.FileName(kernel.Method));
        return data;
    }

    public static TheoryData<string> OpenCLKernelNames()
    {
        var data = new TheoryData<string>();
        foreach (var kernel in GpuKernelLibrary.DeviceKernels().Where(k => k.OpenCL)) data.Add(OfflineKernels.FileName(kernel.Method));
        return data;
    }

    private static (System.Reflection.MethodInfo Method, bool ExplicitlyGrouped) Kernel(string name)
    {
        var kernel = GpuKernelLibrary.DeviceKernels().Single(k => OfflineKernels.FileName(k.Method) == name);
        return (kernel.Method, kernel.ExplicitlyGrouped);
    }

    [Fact]
    public void TheLibraryHasDeviceKernels() => Assert.True(GpuKernelLibrary.DeviceKernels().Count() >= 15);

    [Fact]
    public void EveryOpHasAnOpenCLForm()
    {
        // Each kernel left out of OpenCL has a shared-memory twin in the same class that is emitted.
        var kernels = GpuKernelLibrary.DeviceKernels().ToArray();
        foreach (var shuffled in kernels.Where(k => !k.OpenCL))
            Assert.Contains(kernels, k => k.OpenCL && k.Method.DeclaringType == shuffled.Method.DeclaringType && k.Method.Name == shuffled.Method.Name);
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void PtxIsEmittedForAnInstructionSetCuda12DriversLoad(string name)
    {
        var (method, grouped) = Kernel(name);
        var ptx = OfflineKernels.Ptx(method, grouped);
        // A PTX module a CUDA 12 driver loads declares ISA ≤ 8.x and holds one kernel entry.
        var version = ptx.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(".version", StringComparison.Ordinal));
        var isa = Version.Parse(version[".version".Length..].Trim());
        Assert.True(isa.Major < 8 || (isa.Major == 8 && isa.Minor <= 4), $"PTX ISA {isa} is newer than CUDA 12.4 drivers load");
        Assert.Contains(".entry", ptx);
        Assert.Contains(".target sm_80", ptx);
    }

    [Theory]
    [MemberData(nameof(OpenCLKernelNames))]
    public void OpenCLCIsEmittedAndParsesWhereClangIsInstalled(string name)
    {
        var (method, grouped) = Kernel(name);
        var source = OfflineKernels.OpenCL(method, grouped);
        Assert.Contains("kernel", source);
        var clang = FindClang();
        if (clang is null)
        {
            output.WriteLine("no clang with OpenCL C 2.0 is installed: the OpenCL C was emitted but not parsed");
            return;
        }
        var file = Path.Combine(Path.GetTempPath(), $"dycompile-{Environment.ProcessId}-{name}.cl");
        File.WriteAllText(file, source);
        try
        {
            var info = new ProcessStartInfo(clang, ["-cl-std=CL2.0", "-Xclang", "-finclude-default-header", "-fsyntax-only", "-x", "cl", file])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"clang rejects the OpenCL C of {name}:\n{errors}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void WriteLibraryWritesAPtxAndAnOpenCLFilePerKernel()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"dycompile-offline-{Environment.ProcessId}");
        try
        {
            var files = OfflineKernels.WriteLibrary(directory);
            Assert.Equal(GpuKernelLibrary.DeviceKernels().Count(k => true) + GpuKernelLibrary.DeviceKernels().Count(k => k.OpenCL), files.Count);
            Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AnOpenGenericKernelIsAClearError()
    {
        var open = typeof(StridedCopy).GetMethod("Copy", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
        var error = Assert.Throws<ArgumentException>(() => OfflineKernels.Ptx(open));
        Assert.Contains("MakeGenericMethod", error.Message);
    }

    /// <summary>clang 16, or another clang with OpenCL C 2.0 (14 and later), or null.</summary>
    private static string? FindClang()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator);
        foreach (var version in new[] { 16, 17, 18, 15, 14 })
        {
            foreach (var dir in path)
            {
                var candidate = Path.Combine(dir, $"clang-{version}");
                if (File.Exists(candidate)) return candidate;
            }
            if (File.Exists($"/usr/lib/llvm-{version}/bin/clang")) return $"/usr/lib/llvm-{version}/bin/clang";
        }
        return null;
    }
}
