import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium data`: which image data sets are on this machine, and how to get the others.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "List the image data sets found (Fashion-MNIST, MNIST, CIFAR-10) and how to get missing ones.",
        discussion: """
        Searches each --dir (and DIR/<name>), then the directories in $\(ImageDatasetCatalog.environmentVariable) \
        (':'-separated), then the defaults (Debian's \(ImageDatasetCatalog.debianFashionMNIST)). Files may be plain \
        or gzip. --verify reads every file found through the readers, which check magic numbers, sizes and \
        lengths, and reports the image counts or the exact problem (file, byte offset, expectation).
        Training takes any of these names with `train --data NAME`, also "stacked-NAME" (Stacked \
        MNIST built from NAME, 1,000 modes) or a path: an IDX directory or file, a CIFAR-10 batch \
        directory, or a folder of PNGs (one subfolder per class, or flat).
        """)

    @Option(name: .customLong("dir"), help: "A directory to search first (repeatable).") var directories: [String] = []
    @Flag(help: "Read and validate every data set found.") var verify = false

    func run() throws {
        var problems = 0
        for dataset in ImageDatasetCatalog.all {
            print("\(dataset.name): \(dataset.summary)")
            guard let located = ImageDatasetCatalog.locate(dataset, extra: directories) else {
                let searched = ImageDatasetCatalog.searchDirectories(for: dataset, extra: directories)
                print("  not found (" + (searched.isEmpty ? "no directory given" : "searched: " + searched.joined(separator: ", ")) + ")")
                print("  to get it: \(dataset.installHint)")
                continue
            }
            print("  found in \(located.directory)")
            guard verify else { continue }
            let clock = ContinuousClock(), started = clock.now
            do {
                let (train, test) = try ImageDatasetCatalog.load(located)
                let shape = train.images.shape.dropFirst().map(String.init).joined(separator: "×")
                print(String(format: "  verified: %d train + %d test images of %@, read in %.2f s", train.count, test.count, shape,
                             (clock.now - started) / .seconds(1)))
            } catch {
                problems += 1
                print("  INVALID: \(error)")
            }
        }
        if problems > 0 { throw ExitCode(1) }
    }
}
