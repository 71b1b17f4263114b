// swift-tools-version: 6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode plus the upcoming features the project has adopted.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Vox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vox", targets: ["vox"]),
        .library(name: "VoxFeeds", targets: ["VoxFeeds"]),
        .library(name: "VoxModel", targets: ["VoxModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System libraries, each reached through one small C shim.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CNats",
            pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]
        ),
        // CLD2 (Chrome's Compact Language Detector 2) is C++: one small C++ file gives it a C face.
        .target(
            name: "CCld2",
            path: "Sources/CCld2",
            linkerSettings: [.linkedLibrary("cld2")]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Hand-written kernels (GEMM on pre-packed weights, GELU) with run-time AVX-512 / AVX2 / portable dispatch.
        .target(
            name: "CVoxKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]
        ),

        // Data: connector profiles and the sample feed, bundled so an installed `vox` finds them.
        .target(
            name: "VoxConnectors",
            path: "Connectors",
            exclude: ["README.md"],
            resources: [
                .embedInCode("Profiles/bluesky-jetstream.json"),
                .embedInCode("Profiles/generic.json"),
                .embedInCode("Profiles/mastodon.json"),
                .embedInCode("Profiles/reddit.json"),
                .embedInCode("Profiles/x-v2.json"),
            ],
            swiftSettings: swiftSettings
        ),
        // The bundled models' heads and the sample feed, compiled into the executable (C23 #embed), so a copied or
        // installed `vox` needs no resource folder.
        .target(
            name: "CVoxAssets",
            cSettings: [.unsafeFlags(["-std=c23"])]
        ),
        .target(
            name: "VoxAssets",
            dependencies: ["CVoxAssets"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VoxDefaultModel",
            dependencies: ["VoxAssets"],
            path: "Models",
            exclude: ["candidates", "default", "multilingual", "language-id"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VoxSamples",
            dependencies: ["VoxAssets"],
            path: "Samples",
            exclude: ["README.md", "Data"],
            swiftSettings: swiftSettings
        ),

        // Ingestion: transports (files, HTTP), gzip, framing, JSON scanning, profile mapping.
        .target(
            name: "VoxFeeds",
            dependencies: [
                "CZlib",
                "CCurl",
                "VoxConnectors",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),

        // Language identification (CLD2 and Vox's own n-gram model of tweets) and the decision of what language a post is in.
        .target(
            name: "VoxLanguage",
            dependencies: ["CCld2", "VoxFeeds", "VoxAssets"],
            swiftSettings: swiftSettings
        ),

        // The transformer: safetensors weights, WordPiece tokenizer, BERT forward pass on OpenBLAS.
        .target(
            name: "VoxModel",
            dependencies: ["COpenBLAS", "CVoxKernels"],
            swiftSettings: swiftSettings
        ),

        // The streaming pipeline: filters, micro-batches, watch topics, event-time windows, sinks.
        .target(
            name: "VoxStream",
            dependencies: [
                "VoxFeeds",
                "VoxModel",
                "VoxLanguage",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [
                .embedInCode("Terms/StopWords/ar.txt"), .embedInCode("Terms/StopWords/de.txt"),
                .embedInCode("Terms/StopWords/en.txt"), .embedInCode("Terms/StopWords/es.txt"),
                .embedInCode("Terms/StopWords/fr.txt"), .embedInCode("Terms/StopWords/hi.txt"),
                .embedInCode("Terms/StopWords/it.txt"), .embedInCode("Terms/StopWords/pt.txt"),
            ],
            swiftSettings: swiftSettings
        ),

        // The dashboard page, its script and style, and the vendored Chart.js, bundled so an installed `vox` serves them.
        .target(
            name: "VoxDashboards",
            path: "Dashboards",
            exclude: ["README.md", "grafana-vox.json", "screenshot.png", "Web/CHART_JS_LICENSE"],
            resources: [
                .embedInCode("Web/index.html"),
                .embedInCode("Web/dashboard.css"),
                .embedInCode("Web/dashboard.js"),
                .embedInCode("Web/chart.umd.min.js"),
            ],
            swiftSettings: swiftSettings
        ),

        // The dashboard server: the page, JSON APIs over a run's outputs, Server-Sent Events, Prometheus metrics.
        .target(
            name: "VoxServe",
            dependencies: [
                "VoxStream",
                "VoxFeeds",
                "VoxDashboards",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),

        // Scale-out on NATS JetStream: the publish, worker and aggregate roles.
        .target(
            name: "VoxCluster",
            dependencies: [
                "CNats", "VoxFeeds", "VoxModel", "VoxStream",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Real servers for tests and benchmarks: loopback HTTP with fault injection, nats-server, headless Chromium.
        .target(
            name: "VoxTestSupport",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "vox",
            dependencies: [
                "VoxFeeds",
                "VoxModel",
                "VoxStream",
                "VoxServe",
                "VoxCluster",
                "VoxLanguage",
                "VoxDefaultModel",
                .product(name: "Prometheus", package: "swift-prometheus"),
                "VoxSamples",
                "VoxTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // libFuzzer target for the checkpoint loader: scripts/fuzz.sh checkpoint builds it with -sanitize=fuzzer; a
        // plain build replays inputs given as arguments.
        .executableTarget(
            name: "vox-fuzz-checkpoint",
            dependencies: ["VoxStream", "VoxFeeds", "VoxModel"],
            path: "scripts/fuzz/checkpoint",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "VoxFeedsTests",
            dependencies: ["VoxFeeds", "VoxTestSupport", "VoxConnectors"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxModelTests",
            dependencies: ["VoxModel"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxClusterTests",
            dependencies: [
                "VoxCluster", "VoxFeeds", "VoxStream", "VoxModel", "VoxDefaultModel", "VoxTestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxStreamTests",
            dependencies: ["VoxStream", "VoxModel", "VoxLanguage", "VoxDefaultModel", "VoxTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VoxServeTests",
            dependencies: ["VoxServe", "VoxStream", "VoxCluster", "VoxTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "voxTests",
            dependencies: ["vox", "VoxFeeds", "VoxModel", "VoxTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ]
)
