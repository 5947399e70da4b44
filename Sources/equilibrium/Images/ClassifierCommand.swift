import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium classifier train|eval`: the in-repo evaluation classifier behind the image
/// metrics (classifier score, FCD, precision/recall, Stacked-MNIST modes).
struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train or check the evaluation classifier that the image metrics are computed with.",
        subcommands: [Train.self, Eval.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the evaluation CNN on a data set's training split, record its test accuracy, save it.",
            discussion: """
            The classifier (\(EvaluationClassifier.architecture)) is trained with Adam(1e-3), batch 128, for --epochs \
            passes in a seeded order, then checked on the test split. It is saved as a checkpoint directory whose \
            manifest hash identifies it in every metric computed with it. Afterwards the real test split is scored \
            as a sanity check: its classifier score should approach the number of classes, and FCD(train, test) \
            should be small next to any generator's.
            """)

        @Option(help: "Data set: fashion-mnist, mnist or cifar-10 (see `equilibrium data`).") var data = "fashion-mnist"
        @Option(help: "Output directory (default classifiers/<data>).") var out: String?
        @Option(help: "Passes over the training split.") var epochs = 3
        @Option(help: "Seed of the initialisation and the batch order.") var seed: UInt64 = 0
        @Option(help: "Threads for the convolution, matrix-product, batch-norm, element-wise and Adam kernels (results do not depend on it).") var threads = 1

        func validate() throws {
            guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        }

        func run() throws {
            KernelThreads.set(threads)
            let images = try ImageData.resolve(data)
            guard let trainSet = images.train else {
                throw ValidationError("\(data) is drawn lazily (stacked); train the classifier on its base set, e.g. --data \(images.stackedFrom ?? "fashion-mnist")")
            }
            guard let test = images.test else { throw ValidationError("\(data) has no test split to measure the classifier on") }
            let settings = EvaluationClassifier.TrainingSettings(epochs: epochs, seed: seed)
            print("training the evaluation classifier on \(images.description): \(EvaluationClassifier.architecture), \(epochs) epochs, batch \(settings.batchSize), seed \(seed)")
            fflush(nil)
            let progress = ProgressLine(label: "classifier \(data)", unit: "steps")
            let clock = ContinuousClock(), started = clock.now
            var recent: [Double] = []
            let classifier = EvaluationClassifier.train(on: trainSet, settings: settings) { step, total, loss in
                recent.append(loss)
                if recent.count > 50 { recent.removeFirst() }
                progress.update(done: step, total: total, detail: String(format: "loss %.4f (mean of last %d)", recent.reduce(0, +) / Double(recent.count), recent.count))
            }
            progress.finish()
            let seconds = (clock.now - started) / .seconds(1)
            let accuracy = classifier.accuracy(on: test)
            let record = StoredClassifier.Record(
                dataset: data, imageShape: classifier.imageShape, classes: classifier.classes, architecture: EvaluationClassifier.architecture,
                training: settings, trainCount: trainSet.count, testCount: test.count, testAccuracy: accuracy, trainSeconds: seconds)
            let directory = out ?? "classifiers/\(data)"
            let stored = try StoredClassifier.save(classifier, record: record, to: directory)
            print(String(format: "test accuracy %.2f %% on %d images; trained in %.1f s", 100 * accuracy, test.count, seconds))
            print("saved \(stored.id) to \(directory)")
            try ClassifierCommand.sanityCheck(classifierDirectory: directory, images: images, dataName: data)
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score the real data with a stored classifier: test accuracy, classifier score of the test split, FCD and precision/recall of train against test.")

        @Option(help: "The classifier directory (from `classifier train`).") var classifier = "classifiers/fashion-mnist"
        @Option(help: "Data set the classifier was trained on.") var data = "fashion-mnist"

        func run() throws {
            let images = try ImageData.resolve(data)
            try ClassifierCommand.sanityCheck(classifierDirectory: classifier, images: images, dataName: data)
        }
    }

    /// The acceptance checks on real data: accuracy, the test split's classifier score
    /// (≈ number of classes for an accurate classifier), and train-vs-test FCD and
    /// precision/recall on 10,000 images each.
    static func sanityCheck(classifierDirectory: String, images: ResolvedImageData, dataName: String) throws {
        guard let test = images.test, let trainSet = images.train else { return }
        let evaluator = try ImageEvaluator(classifierDirectory: classifierDirectory, reference: test,
                                           referenceName: "\(dataName) test split", referenceCount: 10_000)
        // One pass over the test split serves the accuracy and the score.
        let probabilities = evaluator.classifier.evaluate(test.images).probabilities
        let correct = zip(probabilities.argmax(axis: 1), test.labels).filter { $0 == $1 }.count
        print(String(format: "%@: test accuracy %.2f %% (%d images)", evaluator.stored.id, 100 * Double(correct) / Double(test.count), test.count))
        let context = MetricContext(dataset: "\(dataName) (real training images)", seeds: [], codeVersion: CodeVersion.current)
        let testContext = MetricContext(dataset: "\(dataName) (real test images)", seeds: [], codeVersion: CodeVersion.current)
        let score = try ClassifierScore(classifier: evaluator.identity).evaluate(probabilities, context: testContext)
        print(score.report)
        let n = min(10_000, trainSet.count)
        let train = trainSet.images.gathering(rows: Array(0..<n))
        let metrics = try evaluator.metrics(of: train, context: context)
        print(String(format: "FCD(train first %d, test) = %.4f", n, metrics["fcd"] as! Double))
        print(metrics["fcd_protocol"] as! String)
        print(String(format: "precision %.4f, recall %.4f (train first %d against test)", metrics["precision"] as! Double,
                     metrics["recall"] as! Double, n))
        print(metrics["precision_recall_protocol"] as! String)
    }
}
