package dev.clearance;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Keeps each external SDK inside the one package that owns it, and dependencies one-way. */
@AnalyzeClasses(packages = "dev.clearance", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule onlyAuthzTalksToOpenFga = noClasses()
            .that()
            .resideOutsideOfPackage("dev.clearance.authz..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.openfga..");

    @ArchTest
    static final ArchRule onlyEmbedAndChunkUseLangChain4j = noClasses()
            .that()
            .resideOutsideOfPackages("dev.clearance.embed..", "dev.clearance.chunk..", "dev.clearance.answer.llm..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.langchain4j..");

    @ArchTest
    static final ArchRule onlyStoreUsesJdbcAndPgvector = noClasses()
            .that()
            .resideOutsideOfPackage("dev.clearance.store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("java.sql..", "com.pgvector..", "org.postgresql..");

    @ArchTest
    static final ArchRule lowerLayersDoNotCallTheEdges = noClasses()
            .that()
            .resideInAnyPackage(
                    "dev.clearance.search..",
                    "dev.clearance.ingest..",
                    "dev.clearance.authz..",
                    "dev.clearance.store..",
                    "dev.clearance.embed..",
                    "dev.clearance.chunk..",
                    "dev.clearance.answer..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.clearance.api..", "dev.clearance.mcp..");

    /** The ingest job is a client of the HTTP API: it runs apart from the service and may face an older one. */
    @ArchTest
    static final ArchRule theIngestJobKnowsOnlyTheHttpApi = noClasses()
            .that()
            .resideInAPackage("dev.clearance.jobs..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.clearance",
                    "dev.clearance.api..",
                    "dev.clearance.answer..",
                    "dev.clearance.audit..",
                    "dev.clearance.authz..",
                    "dev.clearance.chunk..",
                    "dev.clearance.demo..",
                    "dev.clearance.embed..",
                    "dev.clearance.identity..",
                    "dev.clearance.ingest..",
                    "dev.clearance.mcp..",
                    "dev.clearance.search..",
                    "dev.clearance.store..",
                    "dev.clearance.web..");

    @ArchTest
    static final ArchRule storeDoesNotDependOnDomainServices = noClasses()
            .that()
            .resideInAPackage("dev.clearance.store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.clearance.search..", "dev.clearance.ingest..", "dev.clearance.authz..");
}
