#!/usr/bin/env nextflow
/*
 * bp2-germline 0.1.0: bp2's pipeline as a Nextflow DSL2 workflow.
 *
 * Rendered by `bp2 nextflow render` from bp2's stage registry and pipeline definition;
 * do not edit: render it again.
 * Launch it with `bp2 run --engine nextflow`, which checks the case, writes case.json and
 * plan.json, runs Nextflow and records run.json as the local engine does.
 *
 * Each process runs one stage for one unit (a sample, or the case): `bp2 nextflow bind` builds
 * inputs.json from the task's declared inputs only, then `bp2 stage run` runs the stage.
 * Every file a task reads is a declared `path` input: the case files its bind reads (indexes
 * included, from plan.json) and the output directories of the upstream units it reads.
 */

nextflow.enable.dsl = 2

// [unit, keys, files] of each task of a stage, from plan.json
def planTasks(plan, stage) {
    return Channel.fromList(plan.tasks[stage]).map { t ->
        [t.unit, t.keys, t.files.collect { f -> file(f, checkIfExists: true) }]
    }
}

// an upstream stage's output directory for the same unit: [unit, [key], [dir]]
def sameUnit(outputs, stage) {
    return outputs.map { unit, dir -> [unit, ["${stage}/${unit}".toString()], [dir]] }
}

// every unit of an upstream stage, gathered: [[keys], [dirs]]
def allUnits(outputs, stage) {
    return outputs.toSortedList { a, b -> a[0] <=> b[0] }.map { items ->
        [items.collect { "${stage}/${it[0]}".toString() }, items.collect { it[1] }]
    }
}

// [unit, keys, files, keys2, files2, ...] -> [unit, keys + keys2 + ..., files + files2 + ...]
def merged(item) {
    def keys = []
    def files = []
    for (int i = 1; i < item.size(); i += 2) {
        keys += item[i]
        files += item[i + 1]
    }
    return [item[0], keys, files]
}

// intake 1.0.1 (case scope): Check the case before analysis: samplesheet and PED, every FASTQ record (gzip integrity, pairing, bases, qualities, md5), BAMs, and the reference build of reads and resources; summarise the case
// resources: streams every FASTQ record once
process INTAKE {
    tag "${unit}"
    label 'bp2_cpu_low'
    label 'bp2_mem_low'
    publishDir "${params.outdir}", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("intake"), emit: unit

    script:
    """
    bp2 nextflow bind intake --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run intake --inputs _inputs.json --outdir 'intake' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// align 1.1.1 (sample scope): Align paired reads with minimap2 (mappy, -x sr) with a read group; fixmate, sort, mark duplicates and index (BAM or CRAM); an aligned BAM of the same reference is used as is
// resources: minimap2 with a genome index (~8 GB) and sorting
process ALIGN {
    tag "${unit}"
    label 'bp2_cpu_high'
    label 'bp2_mem_high'
    publishDir "${params.outdir}/align", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("${unit}"), emit: unit

    script:
    """
    bp2 nextflow bind align --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run align --inputs _inputs.json --outdir '${unit}' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// qc_alignment 1.0.1 (sample scope): Alignment QC per sample: reads, mapping, pairing, duplicates, insert size, depth and GEL's autosomal ≥15× metric, Q30 yield, X/Y sex inference, contamination from SNP allele balance, panel gene coverage; GEL thresholds, flags and a pass/fail verdict
// resources: one pass over a sample's alignments
process QC_ALIGNMENT {
    tag "${unit}"
    label 'bp2_cpu_medium'
    label 'bp2_mem_medium'
    publishDir "${params.outdir}/qc_alignment", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("${unit}"), emit: unit

    script:
    """
    bp2 nextflow bind qc_alignment --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run qc_alignment --inputs _inputs.json --outdir '${unit}' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// call 1.1.0 (case scope): Joint calling of the case's samples (bcftools mpileup | call -m) with sex-aware ploidy, indel re-genotyping from spanning reads, local haplotype re-genotyping of repeat clusters, normalisation, soft filters; bgzipped, indexed VCF; region-parallel
// resources: parallel mpileup chunks over the trio's alignments
process CALL {
    tag "${unit}"
    label 'bp2_cpu_high'
    label 'bp2_mem_high'
    publishDir "${params.outdir}", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("call"), emit: unit

    script:
    """
    bp2 nextflow bind call --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run call --inputs _inputs.json --outdir 'call' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// qc_family 1.1.0 (case scope): Family QC on the joint VCF: KING-robust kinship and IBS0 per pair against the PED, Mendelian-inconsistency rate per trio, chrX sex check against the PED
// resources: genotype matrix of the family VCF
process QC_FAMILY {
    tag "${unit}"
    label 'bp2_cpu_low'
    label 'bp2_mem_medium'
    publishDir "${params.outdir}", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("qc_family"), emit: unit

    script:
    """
    bp2 nextflow bind qc_family --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run qc_family --inputs _inputs.json --outdir 'qc_family' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// annotate 1.1.0 (case scope): Per-transcript SO consequences with impact, HGVS c./p. (3'-shifted on the transcript strand), gnomAD allele frequencies and ClinVar significance matched by normalised allele; VEP-style CSQ in a bgzipped, indexed VCF plus a per-transcript TSV
// resources: gene model and population tables in memory
process ANNOTATE {
    tag "${unit}"
    label 'bp2_cpu_medium'
    label 'bp2_mem_medium'
    publishDir "${params.outdir}", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("annotate"), emit: unit

    script:
    """
    bp2 nextflow bind annotate --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run annotate --inputs _inputs.json --outdir 'annotate' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// panels 1.1.0 (case scope): Load PanelApp panels, keep green genes, map PanelApp MOI strings to GEL tiering MOIs and match genes to the gene model
// resources: small JSON panels
process PANELS {
    tag "${unit}"
    label 'bp2_cpu_low'
    label 'bp2_mem_low'
    publishDir "${params.outdir}", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("panels"), emit: unit

    script:
    """
    bp2 nextflow bind panels --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run panels --inputs _inputs.json --outdir 'panels' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// tier 1.2.0 (case scope): GEL small-variant tiering: PASS, segregation (complete/incomplete penetrance), population frequency by MOI, impact, panel MOI, ClinVar route; Tier 1/2/3 TSV+JSON
// resources: annotated family VCF, one record at a time
process TIER {
    tag "${unit}"
    label 'bp2_cpu_low'
    label 'bp2_mem_medium'
    publishDir "${params.outdir}", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("tier"), emit: unit

    script:
    """
    bp2 nextflow bind tier --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run tier --inputs _inputs.json --outdir 'tier' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

// report 1.1.0 (case scope): Clinical case report (HTML and PDF): case, samples, QC with accepted failures, tiered variants by tier, panels with versions and coverage, versions, input digests and limitations; case and report IDs on every page
// resources: HTML and PDF rendering
process REPORT {
    tag "${unit}"
    label 'bp2_cpu_low'
    label 'bp2_mem_medium'
    publishDir "${params.outdir}", mode: params.publish_mode

    input:
    tuple val(unit), val(keys), path(staged, stageAs: '_in??/*')
    path definition, stageAs: '_bp2/pipeline.yaml'
    path case_json, stageAs: '_bp2/case.json'

    output:
    tuple val(unit), path("report"), emit: unit

    script:
    """
    bp2 nextflow bind report --unit '${unit}' --definition '${definition}' --case '${case_json}' --keys '${keys.join(",")}' --out _inputs.json ${staged}
    bp2 stage run report --inputs _inputs.json --outdir 'report' --pipeline '${definition}' --seed ${params.seed} --threads ${task.cpus} --unit '${unit}'
    """
}

workflow {
    if (!params.outdir || !params.plan || !params.case_json || !params.definition) {
        error "bp2: params outdir, plan, case_json and definition are required; launch with 'bp2 run --engine nextflow'"
    }
    def plan = new groovy.json.JsonSlurper().parse(file(params.plan, checkIfExists: true))
    def definition = file(params.definition, checkIfExists: true)
    def case_json = file(params.case_json, checkIfExists: true)

    intake_tasks = planTasks(plan, 'intake')
        .map { item -> merged(item) }
    INTAKE(intake_tasks, definition, case_json)

    align_tasks = planTasks(plan, 'align')
        .map { item -> merged(item) }
    ALIGN(align_tasks, definition, case_json)

    qc_alignment_tasks = planTasks(plan, 'qc_alignment')
        .join(sameUnit(ALIGN.out.unit, 'align'), failOnMismatch: true)
        .map { item -> merged(item) }
    QC_ALIGNMENT(qc_alignment_tasks, definition, case_json)

    call_tasks = planTasks(plan, 'call')
        .combine(allUnits(ALIGN.out.unit, 'align'))
        .map { item -> merged(item) }
    CALL(call_tasks, definition, case_json)

    qc_family_tasks = planTasks(plan, 'qc_family')
        .combine(allUnits(QC_ALIGNMENT.out.unit, 'qc_alignment'))
        .combine(allUnits(CALL.out.unit, 'call'))
        .map { item -> merged(item) }
    QC_FAMILY(qc_family_tasks, definition, case_json)

    annotate_tasks = planTasks(plan, 'annotate')
        .combine(allUnits(CALL.out.unit, 'call'))
        .map { item -> merged(item) }
    ANNOTATE(annotate_tasks, definition, case_json)

    panels_tasks = planTasks(plan, 'panels')
        .map { item -> merged(item) }
    PANELS(panels_tasks, definition, case_json)

    tier_tasks = planTasks(plan, 'tier')
        .combine(allUnits(QC_ALIGNMENT.out.unit, 'qc_alignment'))
        .combine(allUnits(QC_FAMILY.out.unit, 'qc_family'))
        .combine(allUnits(ANNOTATE.out.unit, 'annotate'))
        .combine(allUnits(PANELS.out.unit, 'panels'))
        .map { item -> merged(item) }
    TIER(tier_tasks, definition, case_json)

    report_tasks = planTasks(plan, 'report')
        .combine(allUnits(QC_ALIGNMENT.out.unit, 'qc_alignment'))
        .combine(allUnits(QC_FAMILY.out.unit, 'qc_family'))
        .combine(allUnits(PANELS.out.unit, 'panels'))
        .combine(allUnits(TIER.out.unit, 'tier'))
        .map { item -> merged(item) }
    REPORT(report_tasks, definition, case_json)
}
