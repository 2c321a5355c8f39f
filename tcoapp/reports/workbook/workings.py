"""The Workings sheet: scalar quantities, the monthly state (fleet, flags, IRR signs) and the series formulas."""

from __future__ import annotations

from .core import BATCH_TABLE_MIN, FIRST_ROW, HEADER_ROW, IRR_GRID, KEY_ROW, Book, Columns, abs_ref, money_format

# ---- Workings ---------------------------------------------------------------------

#: Monthly working columns: key -> (title, unit kind).
WORKING_COLUMNS = {
    "m": ("Month index", "index"),
    "live": ("Live (1 = serving)", "flag"),
    "refresh_runs": ("Refresh runs active", "count"),
    "train_hours": ("Training chip-hours", "count"),
    "hw_trend": ("Hardware price factor", "ratio"),
    "elec": ("Electricity price ({cur}/kWh)", "price"),
    "train_chip_cost": ("Owned training chip with server ({cur})", "money"),
    "train_rate": ("Training rate ({cur}/chip-hour)", "price"),
    "demand_uncapped": ("Demand before the ceiling (requests/day)", "count"),
    "demand": ("Demand (requests/day)", "count"),
    "prefill": ("Prefill tokens", "count"),
    "decode": ("Decode tokens", "count"),
    "api_compute": ("API charges ({cur})", "money"),
    "replicas": ("Replicas", "count"),
    "required": ("Chips required", "count"),
    "cloud_compute": ("Cloud rental ({cur})", "money"),
    "owned_required": ("Owned chips required", "count"),
    "chip_cost": ("Owned inference chip with server ({cur})", "money"),
    "alive_before": ("Chips alive before buying", "count"),
    "buy": ("Chips bought", "count"),
    "alive": ("Chips in service", "count"),
    "owned_capex": ("Purchases ({cur})", "money"),
    "installed": ("Installed capex in service ({cur})", "money"),
    "owned_depreciation": ("Depreciation ({cur})", "money"),
    "owned_energy": ("Energy ({cur})", "money"),
    "owned_facility": ("Colocation and maintenance ({cur})", "money"),
    "energy_mwh": ("Energy (MWh)", "count1"),
    "discount": ("Discount factor", "ratio"),
    "net": ("Net cash flow: revenue - cash cost ({cur})", "money"),
    "cum_training": ("Cumulative training ({cur})", "money"),
    "cum_inference": ("Cumulative inference ({cur})", "money"),
    "crossover_flag": ("Inference >= training (1 = yes)", "flag"),
    "crossover_marker": ("Crossover marker", "money"),
    "cum_revenue": ("Cumulative revenue ({cur})", "money"),
    "cum_cash": ("Cumulative cash cost ({cur})", "money"),
    "payback_flag": ("Revenue >= cash cost (1 = yes)", "flag"),
    "cum_net": ("Cumulative net cash flow ({cur})", "money"),
    "net_sign": ("Sign of cumulative net", "flag"),
    "carried_sign": ("Sign carried over zeros", "flag"),
    "sign_change": ("Sign change (1 = yes)", "flag"),
    "first_sign": ("First non-zero sign", "flag"),
}

#: Column where the monthly block of the Workings sheet starts (A:C hold the scalars).
WORKINGS_FIRST_COL = 5


def _scalar_rows(scenario) -> list[tuple[str, str, str | float, str]]:
    """Scalar workings: (name, title, formula, number format)."""
    dep = "inference_deployment"
    measured = "calc_measured"
    return [
        # named constants: every formula uses these names, never the numbers
        ("const_hours_per_year", "Constant: hours per year", 8760, "0"),
        ("const_days_per_year", "Constant: days per year", 365, "0"),
        ("const_months_per_year", "Constant: months per year", 12, "0"),
        ("const_seconds_per_hour", "Constant: seconds per hour", 3600, "0"),
        ("const_seconds_per_day", "Constant: seconds per day", 86400, "0"),
        ("const_epsilon", "Constant: rounding guard before a ceiling (methodology)", 1e-9, "0.0E+00"),
        ("const_default_serving_efficiency", "Constant: serving efficiency when neither scenario nor chip gives one",
         0.7, "0.00"),
        ("calc_hours", "Hours per month HOURS (8760 / 12)", "=const_hours_per_year/const_months_per_year", "0.00"),
        ("calc_days", "Days per month DAYS (365 / 12)", "=const_days_per_year/const_months_per_year", "0.0000"),
        ("calc_start_year", "Start year", "=VALUE(LEFT(start_month,4))", "0"),
        ("calc_start_month", "Start month of the year", "=VALUE(RIGHT(start_month,2))", "0"),
        ("calc_months", "Months in the horizon", "=const_months_per_year*horizon_years", "0"),
        ("calc_end", "End month E (first month with no traffic; the horizon if empty)",
         "=IF(ISNUMBER(inference_end_month),inference_end_month,calc_months)", "0"),
        ("calc_refresh_end", "Refreshes start before min(M, E)", "=MIN(calc_months,calc_end)", "0"),
        # training (methodology section 3)
        ("calc_n_active", "Active parameters N_act", "=1E9*model_active_params_billion", "0.000E+00"),
        ("calc_c0", "Initial compute C0 with experiments (FLOP)",
         "=training_compute_flops*(1+training_experiment_overhead)", "0.000E+00"),
        ("calc_training_flops", "Training chip peak F_t (FLOP/s)", "=training_chip_peak_tflops*1E12", "0.000E+00"),
        ("calc_hours_initial", "Chip-hours of the initial run",
         "=IF(calc_c0>0,calc_c0/(calc_training_flops*training_mfu*const_seconds_per_hour),0)", "#,##0.00"),
        ("calc_hours_refresh", "Chip-hours of a refresh run",
         "=IF(calc_c0>0,training_refresh_compute_fraction*calc_c0/(calc_training_flops*training_mfu*const_seconds_per_hour),0)",
         "#,##0.00"),
        ("calc_training_server_kw", "Training server power per chip (kW)",
         "=training_chip_tdp_w/1000*(1+facility_server_power_overhead)", "0.0000"),
        ("calc_inference_server_kw", "Inference server power per chip (kW)",
         "=inference_chip_tdp_w/1000*(1+facility_server_power_overhead)", "0.0000"),
        ("calc_life_months", "Hardware life in months: round(12 x life_years), halves to even",
         "=IF(MOD(2*(const_months_per_year*facility_life_years),2)=1,2*ROUND(const_months_per_year*facility_life_years/2,0),"
         "ROUND(const_months_per_year*facility_life_years,0))", "0"),
        # capacity (methodology section 4.3)
        ("calc_bytes_per_weight", "Bytes per weight b",
         '=IF(inference_precision="bf16",2,IF(inference_precision="fp8",1,0.5))', "0.0"),
        ("calc_kv_bytes", "Bytes per cache value kv_b", '=IF(inference_precision="bf16",2,1)', "0"),
        ("calc_hbm", "Chip memory HBM (bytes)", "=inference_chip_memory_gb*1E9", "0.000E+00"),
        ("calc_bw", "Chip bandwidth BW (bytes/s)", "=inference_chip_bandwidth_tbs*1E12", "0.000E+00"),
        ("calc_flops", "Inference chip peak F (FLOP/s)", "=inference_chip_peak_tflops*1E12", "0.000E+00"),
        ("calc_w_total", "Weights W_total (bytes)", "=1E9*model_params_billion*calc_bytes_per_weight",
         "0.000E+00"),
        ("calc_w_active", "Active weights W_act (bytes)", "=calc_n_active*calc_bytes_per_weight", "0.000E+00"),
        ("calc_kv_per_token", "Cache per token kv_tok (bytes)",
         "=2*model_layers*model_kv_heads*model_head_dim*calc_kv_bytes", "#,##0"),
        ("calc_ctx_max", "Longest context ctx_max (tokens)",
         "=inference_input_tokens+(inference_reasoning_tokens+inference_output_tokens)", "#,##0"),
        ("calc_ctx_avg", "Average context ctx_avg (tokens)",
         "=inference_input_tokens+(inference_reasoning_tokens+inference_output_tokens)/2", "#,##0.0"),
        (measured, "Measured throughputs given (1 = yes)",
         "=IF(AND(ISNUMBER(inference_prefill_tokens_per_s_per_chip),"
         "ISNUMBER(inference_decode_tokens_per_s_per_chip)),1,0)", "0"),
        ("calc_estimated", "Throughput estimated (1 = yes: not API, not measured)",
         f'=IF(OR({dep}="api",{measured}=1),0,1)', "0"),
        ("calc_b_max", "Largest batch the memory and max_batch allow B_max",
         '=IF(calc_estimated=0,"",IF(calc_ctx_max*calc_kv_per_token=0,'
         "inference_efficiency_max_batch,MIN(inference_efficiency_max_batch,"
         "INT((inference_efficiency_memory_fraction*inference_chips_per_replica*calc_hbm-calc_w_total)"
         "/(calc_ctx_max*calc_kv_per_token)))))", "#,##0"),
        ("calc_moe", "Mixture of experts (1 = yes)", "=IF(ISNUMBER(model_experts),1,0)", "0"),
        ("calc_n_total", "Total parameters N_total", "=1E9*model_params_billion", "0.000E+00"),
        ("calc_expert", "Parameters per expert e = (N_total - N_act) / (X - k)",
         "=IF(calc_moe=1,(calc_n_total-calc_n_active)/(model_experts-model_experts_per_token),0)", "0.000E+00"),
        ("calc_n_shared", "Shared parameters N_sh = N_act - k e",
         "=IF(calc_moe=1,calc_n_active-model_experts_per_token*calc_expert,calc_n_active)", "0.000E+00"),
        ("calc_mem_rate", "Replica memory rate c BW bandwidth (bytes/s)",
         "=inference_chips_per_replica*calc_bw*inference_efficiency_bandwidth", "0.000E+00"),
        ("calc_flop_rate", "Replica decode FLOP rate c F decode_mfu (FLOP/s)",
         "=inference_chips_per_replica*calc_flops*inference_efficiency_decode_mfu", "0.000E+00"),
        ("calc_serving", "Serving efficiency s", "=inference_efficiency_serving", "0.0000"),
        ("calc_batch", "Batch B: the largest candidate in 1 .. B_max meeting the interactivity target",
         '=IF(calc_estimated=0,"",IF(MAX(batch_candidates)>=1,MAX(batch_candidates),"none"))', "#,##0"),
        ("calc_step_time", "Decode step time t(B) (s)",
         '=IF(calc_estimated=0,"",INDEX(batch_step_times,calc_batch))', "0.000E+00"),
        ("calc_per_user", "Decode speed each user sees s / t(B) (tokens/s)",
         '=IF(calc_estimated=0,"",calc_serving/calc_step_time)', "#,##0.00"),
        ("calc_replica_prefill", "Replica prefill throughput P (tokens/s)",
         f'=IF({dep}="api","",IF({measured}=1,inference_chips_per_replica*inference_prefill_tokens_per_s_per_chip,'
         "calc_serving*inference_chips_per_replica*calc_flops*inference_efficiency_prefill_mfu/(2*calc_n_active)))",
         "#,##0.0"),
        ("calc_replica_decode", "Replica decode throughput R (tokens/s)",
         f'=IF({dep}="api","",IF({measured}=1,inference_chips_per_replica*inference_decode_tokens_per_s_per_chip,'
         "calc_serving*calc_batch/calc_step_time))", "#,##0.0"),
        ("calc_answer_seconds", "Time to a full answer (s)",
         '=IF(calc_estimated=0,"",inference_input_tokens*(1-inference_cached_input_fraction)/calc_replica_prefill'
         "+(inference_reasoning_tokens+inference_output_tokens)/calc_per_user)", "#,##0.00"),
        ("calc_busy", "Busy seconds per request",
         f'=IF({dep}="api","",inference_samples*inference_input_tokens*(1-inference_cached_input_fraction)'
         "/calc_replica_prefill"
         "+inference_samples*(inference_reasoning_tokens+inference_output_tokens)/calc_replica_decode)", "0.0000"),
        ("calc_replica_capacity", "Replica capacity (requests/s)",
         f'=IF({dep}="api","",IF(calc_busy>0,inference_target_utilization/calc_busy,""))', "0.0000"),
    ]


def batch_table_size(scenario) -> int:
    """Rows of the candidate-batch table: max_batch can be raised up to this without a new export (twice
    the scenario's, at most the schema's largest, so the table always holds the scenario's own)."""
    from tcoapp.scenario.schema import MAX_BATCH

    return max(BATCH_TABLE_MIN, min(2 * int(scenario.inference.efficiency.max_batch), MAX_BATCH))


def _batch_table(book: Book, ws, scenario, row: int) -> int:
    """Candidate batches 1 .. T with t(B), s / t(B) and whether each is allowed (methodology 4.3)."""
    st = book.st
    book.section(ws, row, "Batch search: candidate batches (A), step time t(B) (B), speed s/t(B) (C), "
                          "candidate (B if allowed, else 0) in column D", 4)
    row += 1
    book.header(ws, row, ["Batch B", "Step time t(B) (s)", "Speed s/t(B) (tokens/s)", "Candidate"])
    row += 1
    first = row
    u = "inference_min_tokens_per_s_per_user"
    for _ in range(batch_table_size(scenario)):
        r = row
        ws.cell(r, 1).value = f"=ROWS(A${first}:A{r})"
        w_read = (f"IF(calc_moe=1,calc_bytes_per_weight*(calc_n_shared+model_experts*calc_expert"
                  f"*(1-(1-model_experts_per_token/model_experts)^A{r})),calc_w_total)")
        ws.cell(r, 2).value = (f'=IF(calc_estimated=0,"",({w_read}+A{r}*calc_ctx_avg*calc_kv_per_token)/calc_mem_rate'
                               f"+A{r}*2*calc_n_active/calc_flop_rate)")
        ws.cell(r, 3).value = f'=IF(calc_estimated=0,"",calc_serving/B{r})'
        ws.cell(r, 4).value = (f'=IF(calc_estimated=0,0,IF(AND(A{r}<=calc_b_max,OR(NOT(ISNUMBER({u})),C{r}>={u})),'
                               f"A{r},0))")
        ws.cell(r, 2).number_format = "0.000E+00"
        ws.cell(r, 3).number_format = "#,##0.00"
        row += 1
    book.name("batch_step_times", abs_ref("Workings", "B", first, "B", row - 1))
    book.name("batch_candidates", abs_ref("Workings", "D", first, "D", row - 1))
    del st
    return row


def workings_sheet(book: Book, ws, scenario, months: int, monthly: Columns) -> Columns:
    st = book.st
    cur = scenario.currency
    book.text(ws, 1, 1, "Workings", font=st["title"])
    book.text(ws, 2, 1, "Intermediate quantities of the methodology (docs/methodology.md). Left: scalars (named calc_*); right: "
                        "one row per month, on the same rows as the Monthly sheet.", font=st["note_font"])
    book.header(ws, HEADER_ROW, ["Quantity", "Value", "Name"])
    row = FIRST_ROW
    for name, title, formula, fmt in _scalar_rows(scenario):
        book.text(ws, row, 1, title)
        cell = ws.cell(row, 2)
        cell.value = formula
        cell.number_format = fmt
        book.text(ws, row, 3, name, font=st["key_font"])
        book.name(name, abs_ref("Workings", "B", row))
        row += 1

    # automatic chips per replica: 1, 2, ..., 1024 and whether the weights fit
    row += 1
    book.section(ws, row, "Chips per replica: weights fit?", 3)
    row += 1
    book.header(ws, row, ["Chips", "Fits (1 = yes)", ""])
    row += 1
    table_first = row
    for k in range(11):
        ws.cell(row, 1).value = 2 ** k
        ws.cell(row, 2).value = (f"=IF(calc_w_total<=inference_efficiency_weight_memory_fraction*A{row}*calc_hbm,"
                                 "1,0)")
        row += 1
    book.text(ws, row, 1, "Automatic chips per replica (2^count of misfits)")
    ws.cell(row, 2).value = f"=2^COUNTIF($B${table_first}:$B${row - 1},0)"
    book.text(ws, row, 3, "calc_auto_chips_per_replica", font=st["key_font"])
    book.name("calc_auto_chips_per_replica", abs_ref("Workings", "B", row))
    row += 2

    # IRR guess: NPVs on a grid of monthly rates
    book.section(ws, row, "IRR starting guess", 3)
    row += 1
    book.header(ws, row, ["Monthly rate", "NPV of net cash flow", ""])
    row += 1
    grid_first = row
    w = Columns("Workings", WORKING_COLUMNS, WORKINGS_FIRST_COL, months)
    for rate in IRR_GRID:
        ws.cell(row, 1).value = rate
        ws.cell(row, 1).number_format = "0.00%"
        ws.cell(row, 2).value = f"=NPV(A{row},{w.range('net', external=False)})"
        ws.cell(row, 2).number_format = money_format(cur)
        row += 1
    grid_last = row - 1
    book.text(ws, row, 1, "Guess: largest rate with a positive NPV")
    ws.cell(row, 2).value = (f"=INDEX($A${grid_first}:$A${grid_last},"
                             f"MAX(1,COUNTIF($B${grid_first}:$B${grid_last},\">0\")))")
    ws.cell(row, 2).number_format = "0.00%"
    book.text(ws, row, 3, "calc_irr_guess", font=st["key_font"])
    book.name("calc_irr_guess", abs_ref("Workings", "B", row))
    row += 2
    row = _batch_table(book, ws, scenario, row)
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 26
    ws.column_dimensions["D"].width = 3

    # the monthly block
    titles = [title.format(cur=cur) for title, _ in WORKING_COLUMNS.values()]
    book.header(ws, HEADER_ROW, titles, col=WORKINGS_FIRST_COL)
    for i, key in enumerate(WORKING_COLUMNS):
        book.text(ws, KEY_ROW, WORKINGS_FIRST_COL + i, key, font=st["key_font"])
    formats = {"money": money_format(cur), "count": "#,##0.##", "count1": "#,##0.0", "flag": "0",
               "index": "0", "ratio": "0.000000", "price": "#,##0.0000"}
    marker = ws[f"{w['crossover_marker']}{HEADER_ROW}"]  # the chart's legend names the month
    marker.value = '="Crossover: "&IF(label_crossover_month="","none within the horizon",label_crossover_month)'
    book.name("crossover_flags", w.range("crossover_flag"))
    book.name("payback_flags", w.range("payback_flag"))
    book.name("net_cash_flow", w.range("net"))
    book.name("discount_factors", w.range("discount"))
    write_monthly_formulas(book, ws, book.wb["Monthly"], months, monthly, w)
    for key, (_, kind) in WORKING_COLUMNS.items():
        letter = w[key]
        ws.column_dimensions[letter].width = 16
        for r in range(w.first, w.last + 1):
            ws[f"{letter}{r}"].number_format = formats[kind]
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.freeze_panes = f"A{FIRST_ROW}"
    return w


def write_monthly_formulas(book: Book, ws, monthly_ws, months: int, mo: Columns, w: Columns) -> None:
    """The formulas of every month on the Workings and Monthly sheets."""
    first = w.first
    head = HEADER_ROW  # the row above month 0: N() of its text is 0, the "previous month" of month 0
    dep = "inference_deployment"
    L = "inference_launch_month"
    for r in range(w.first, w.last + 1):
        def W(key, row=r):  # a Workings cell of this row
            return f"{w[key]}{row}"

        def M(key, row=r):  # a Monthly cell of this row, from the Workings sheet
            return f"Monthly!{mo[key]}{row}"

        m = W("m")
        prev = r - 1
        f = {}
        f["m"] = f"=Monthly!A{r}"
        f["live"] = f"=IF(AND({m}>={L},{m}<calc_end),1,0)"
        f["refresh_runs"] = (
            f"=IF(training_refresh_every_months>0,MAX(0,MIN(INT(({m}-{L})/training_refresh_every_months),"
            f"-INT(-((calc_refresh_end-{L})/training_refresh_every_months))-1)"
            f"-MAX(1,-INT(-(({m}-{L}-training_refresh_duration_months+1)/training_refresh_every_months)))+1),0)")
        f["train_hours"] = (f"=IF(AND({m}>=training_start_month,{m}<training_start_month+training_duration_months),calc_hours_initial/training_duration_months,0)"
                            f"+{W('refresh_runs')}*(calc_hours_refresh/training_refresh_duration_months)")
        f["hw_trend"] = f"=(1+facility_hardware_price_change)^({m}/const_months_per_year)"
        f["elec"] = f"=facility_electricity_price*(1+facility_electricity_price_change)^({m}/const_months_per_year)"
        f["train_chip_cost"] = f"=training_chip_price*{W('hw_trend')}*(1+facility_server_overhead)"
        K = W("train_chip_cost")
        f["train_rate"] = (
            f'=IF(training_procurement="owned",{K}/(facility_life_years*const_hours_per_year)+{K}*facility_maintenance_rate/const_hours_per_year'
            f"+calc_training_server_kw*facility_power_load_factor*facility_pue*{W('elec')}"
            f"+calc_training_server_kw*facility_colocation_per_kw_month/calc_hours,"
            f"training_cloud_rate*(1+training_cloud_price_change)^({m}/const_months_per_year))")
        f["demand_uncapped"] = f"=inference_requests_per_day*(1+inference_annual_growth)^(({m}-{L})/const_months_per_year)"
        U = W("demand_uncapped")
        f["demand"] = (f"=IF({W('live')}=1,IF(ISNUMBER(inference_max_requests_per_day),"
                       f"MIN(inference_max_requests_per_day,{U}),{U}),0)")
        f["prefill"] = f"={M('requests')}*inference_samples*inference_input_tokens"
        f["decode"] = f"={M('requests')}*inference_samples*(inference_reasoning_tokens+inference_output_tokens)"
        f["api_compute"] = (f"=({W('prefill')}*((1-inference_cached_input_fraction)*inference_api_price_input"
                            f"+inference_cached_input_fraction*inference_api_price_cached_input)+{W('decode')}*inference_api_price_output)"
                            f"/1E6*(1+inference_api_price_change)^({m}/const_months_per_year)")
        D = W("demand")
        f["replicas"] = (f'=IF(OR({dep}="api",{W("live")}=0,{D}<=0),0,IF(calc_busy>0,'
                         f"-INT(-({D}/const_seconds_per_day*inference_peak_to_average/calc_replica_capacity-const_epsilon)),0))")
        f["required"] = f'=IF({dep}="api",0,inference_chips_per_replica*{W("replicas")})'
        f["cloud_compute"] = (f"={W('required')}*calc_hours*inference_cloud_rate"
                              f"*(1+inference_cloud_price_change)^({m}/const_months_per_year)")
        f["owned_required"] = f'=IF({dep}="owned",{W("required")},0)'
        f["chip_cost"] = f"=inference_chip_price*{W('hw_trend')}*(1+facility_server_overhead)"
        window = f'">="&({m}-calc_life_months+1)'
        # the window starts at the header row (text, never counted), so the first month's formula is the same
        f["alive_before"] = (f"=SUMIFS(${w['buy']}${head}:{w['buy']}{prev},"
                             f"${w['m']}${head}:{w['m']}{prev},{window})")
        S = "facility_chips_per_server"
        f["buy"] = (f"={S}*(-INT(-(MAX(0,{W('owned_required')}-{W('alive_before')})/{S}-const_epsilon)))")
        f["alive"] = f"={W('alive_before')}+{W('buy')}"
        f["owned_capex"] = f"=IF({W('buy')}>0,{W('buy')}*{W('chip_cost')},0)"
        f["installed"] = (f"=SUMIFS(${w['owned_capex']}${first}:{w['owned_capex']}{r},"
                          f"${w['m']}${first}:{w['m']}{r},{window})")
        f["owned_depreciation"] = f"={W('installed')}/calc_life_months"
        A = W("alive")
        power = "(calc_inference_server_kw*facility_power_load_factor*facility_pue)"
        f["owned_energy"] = f"=IF({A}>0,{A}*{power}*calc_hours*{W('elec')},0)"
        f["owned_facility"] = (f"=IF({A}>0,{A}*(calc_inference_server_kw*facility_colocation_per_kw_month),0)"
                               f"+facility_maintenance_rate/const_months_per_year*{W('installed')}")
        f["energy_mwh"] = f"=IF({A}>0,{A}*{power}*calc_hours/1000,0)"
        f["discount"] = f"=(1+finance_discount_rate)^(-{m}/const_months_per_year)"
        f["net"] = f"={M('revenue')}-{M('cash_total')}"

        def running(key, series):
            return f"=N({W(key, prev)})+{M(series)}"

        f["cum_training"] = running("cum_training", "training")
        f["cum_inference"] = running("cum_inference", "inference")
        f["crossover_flag"] = (f"=IF(AND({W('cum_inference')}>={W('cum_training')},{W('cum_inference')}>0),1,0)")
        f["crossover_marker"] = f"=IF({m}=summary_crossover_month,{W('cum_inference')},0)"
        f["cum_revenue"] = running("cum_revenue", "revenue")
        f["cum_cash"] = running("cum_cash", "cash_total")
        f["payback_flag"] = f"=IF(AND({W('cum_revenue')}>={W('cum_cash')},{W('cum_revenue')}>0),1,0)"
        f["cum_net"] = f"=N({W('cum_net', prev)})+{W('net')}"
        f["net_sign"] = f"=SIGN({W('cum_net')})"
        f["carried_sign"] = f"=IF({W('net_sign')}<>0,{W('net_sign')},N({W('carried_sign', prev)}))"
        f["sign_change"] = (f"=IF(AND(N({W('carried_sign', prev)})<>0,"
                            f"{W('carried_sign')}<>N({W('carried_sign', prev)})),1,0)")
        f["first_sign"] = f"=IF(N({W('first_sign', prev)})<>0,N({W('first_sign', prev)}),{W('net_sign')})"
        for key, formula in f.items():
            ws[f"{w[key]}{r}"].value = formula

        # the Monthly series (methodology sections 3 to 5)
        def X(key):  # a Workings cell of this row, from the Monthly sheet
            return f"Workings!{w[key]}{r}"

        def Y(key):  # a Monthly cell of this row
            return f"{mo[key]}{r}"

        s = {}
        s["training_compute"] = f"=IF({X('train_hours')}>0,{X('train_hours')}*{X('train_rate')},0)"
        s["training_fixed"] = (f"=IF(AND({X('m')}>=training_start_month,"
                               f"{X('m')}<training_start_month+training_duration_months),"
                               f"training_fixed_cost/training_duration_months,0)"
                               f"+{X('refresh_runs')}*(training_refresh_fixed_cost/training_refresh_duration_months)")
        s["inference_compute"] = (f'=IF({dep}="api",{X("api_compute")},IF({dep}="cloud",{X("cloud_compute")},'
                                  f'IF(finance_basis="accrual",{X("owned_depreciation")},{X("owned_capex")})))')
        s["inference_energy"] = f'=IF({dep}="owned",{X("owned_energy")},0)'
        s["inference_facility"] = f'=IF({dep}="owned",{X("owned_facility")},0)'
        s["inference_ops"] = f"=IF({X('live')}=1,inference_ops_cost_per_month,0)"
        s["training"] = f"={Y('training_compute')}+{Y('training_fixed')}"
        s["inference"] = (f"={Y('inference_compute')}+{Y('inference_energy')}+{Y('inference_facility')}"
                          f"+{Y('inference_ops')}")
        s["total"] = f"={Y('training')}+{Y('inference')}"
        s["requests"] = f"={X('demand')}*calc_days"
        s["tokens"] = f"={X('prefill')}+{X('decode')}"
        s["chips"] = f'=IF({dep}="owned",{X("alive")},IF({dep}="cloud",{X("required")},0))'
        s["capex"] = f'=IF({dep}="owned",{X("owned_capex")},0)'
        s["depreciation"] = f'=IF({dep}="owned",{X("owned_depreciation")},0)'
        s["revenue"] = (f"={Y('requests')}*business_revenue_per_request"
                        f"*(1+business_revenue_change)^({X('m')}/const_months_per_year)")
        s["cash_training"] = f"={Y('training')}"
        s["cash_inference"] = (f'=IF({dep}="owned",{Y("inference")}-{Y("inference_compute")}+{Y("capex")},'
                               f'{Y("inference")})')
        s["cash_total"] = f"={Y('cash_training')}+{Y('cash_inference')}"
        for key, formula in s.items():
            monthly_ws[f"{mo[key]}{r}"].value = formula
